#!/usr/bin/env python3
"""The benchmark, in one command: the service against Datasette and a precomputed-response ceiling.

    python3 bench/run.py                         60; 100,000; 1,000,000 claims (1M in one round),
                                                 SQLite and (when reachable) PostgreSQL
    python3 bench/run.py --size 100000 --engine sqlite --rounds 5
    python3 bench/run.py --smoke                 60 claims, SQLite, one round of 1 s per target (CI)

Prints a table of medians and writes it as JSON to bench/results/. Needs wrk (installed with apt-get when
missing and running as root); installs Datasette into bench/.venv-datasette on first use.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _in_project_venv() -> None:
    """Re-run this script with the project's .venv Python (created by dev.py when missing)."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        return
    sys.path.insert(0, str(ROOT))
    import dev

    dev.ensure_environment()
    os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])


def _postgres_url(engine: str) -> str | None:
    if engine == "sqlite":
        return None
    url = os.environ.get("SECTORFACTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return url
    except OSError:
        if engine == "postgres":
            raise SystemExit(
                "bench: --engine postgres, but no PostgreSQL answers on 127.0.0.1:5432"
            ) from None
        print("bench: no PostgreSQL on 127.0.0.1:5432: measuring SQLite only", file=sys.stderr)
        return None


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, action="append", help="claims in the corpus (repeatable)")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--smoke", action="store_true", help="CI-sized: 60 claims, SQLite, 1 round of 1 s")
    parser.add_argument("--rounds", type=int, help="rounds per size (default 3; 1 at 1,000,000)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run (default 3; 1 with --smoke)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--high-connections", type=int, default=256)
    parser.add_argument(
        "--high-seconds", type=float, help="seconds per run with --high-connections (default 10; 3 smoke)"
    )
    parser.add_argument("--only", action="append", help="measure only these endpoints (repeatable)")
    parser.add_argument("--no-stream", action="store_true", help="skip the NDJSON streaming measurement")
    parser.add_argument("--out", type=Path, help="JSON results file (default bench/results/<time>.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    _in_project_venv()
    sys.path.insert(0, str(ROOT))
    from bench.session import run

    return run(parse(argv), _postgres_url)


if __name__ == "__main__":
    sys.exit(main())
