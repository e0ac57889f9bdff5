#!/usr/bin/env python3
"""The write benchmark: claims created, edited and deleted through the API while readers read, `ingest` of a
large document, and `rebuild`, on SQLite and PostgreSQL.

    python3 bench/writes.py                        100,000 and 1,000,000 claims, both engines
    python3 bench/writes.py --size 100000 --engine sqlite --seconds 30
    python3 bench/writes.py --smoke                60 claims, SQLite, 2 s: checks the counting (CI)

Readers (wrk, reading one claim and a theme's first page in turn) run alone, then beside 16 writers each
creating a claim, editing it (If-Match) and deleting it (If-Match): first paced (48 writes a second in
all, at random intervals; a write's latency counts from when it was due), where the write targets apply,
then back to back, which measures how many writes a second the service can take. Afterwards every
acknowledged write is counted (API, change log, tallies): the run fails on a lost or duplicated write,
or any answer but the expected one. Prints tables and writes JSON to bench/results/writes-<time>.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (100_000, 1_000_000)


def _in_a_venv() -> None:
    """Re-run with the project's .venv Python (created by dev.py when missing), unless already in a venv."""
    if sys.prefix != sys.base_prefix:
        return
    sys.path.insert(0, str(ROOT))
    import dev

    dev.ensure_environment()
    venv_python = ROOT / ".venv" / "bin" / "python"
    # The script that was run (this one, or another benchmark that calls this function), not this file.
    os.execv(str(venv_python), [str(venv_python), str(Path(sys.argv[0]).resolve()), *sys.argv[1:]])


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/writes.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, action="append", help="claims in the corpus (repeatable)")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--smoke", action="store_true", help="CI-sized: 60 claims, SQLite, 2 s, 200 ingested")
    parser.add_argument("--seconds", type=float, help="seconds of each load phase (default 20; 2 smoke)")
    parser.add_argument("--writers", type=int, default=16, help="concurrent writers (default 16)")
    parser.add_argument(
        "--paced-rate",
        type=float,
        help="writes a second from all writers together in the paced phase (default 48)",
    )
    parser.add_argument("--reader-connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--ingest-claims", type=int, help="claims in the ingested document (default 10,000)")
    parser.add_argument(
        "--out", type=Path, help="JSON results file (default bench/results/writes-<time>.json)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    _in_a_venv()
    sys.path.insert(0, str(ROOT))
    from bench.write_run import run

    args = parse(argv)
    out = args.out or ROOT / "bench" / "results" / time.strftime("writes-%Y%m%d-%H%M%S.json")
    failed = run(args, out)
    print(f"bench: results written to {out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
