#!/usr/bin/env python3
"""Where a request's time goes: py-spy samples the service while wrk loads one endpoint, then the samples
are summed by layer (by the frame on top of each sampled stack: where the CPU was).

    python3 bench/profile.py --size 100000 --endpoint claim [--seconds 8]

Needs py-spy (in the dev dependencies) and permission to read the server's memory (root, or ptrace).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (layer, pattern on the top frame's "function (file:line)") — first match wins.
LAYERS: tuple[tuple[str, str], ...] = (
    ("database driver (sqlite3 / psycopg)", r"\((sqlite3|psycopg)/|of 'sqlite3|fetch(one|all|many)"),
    ("SQLAlchemy", r"\(sqlalchemy/"),
    ("pydantic", r"\(pydantic(_core)?/"),
    ("service code (app/services)", r"\(app/services/"),
    (
        "app middleware (app/api/middleware, app/api/routing)",
        r"\(app/api/(middleware/|routing\.py)|zlib|uuid",
    ),
    ("metrics and logging", r"\((prometheus_client|logging)/|app/api/metrics|app/logging"),
    ("thread-pool hand-off (sync endpoints)", r"\((anyio|concurrent)/|threading\.py|queue\.py"),
    ("FastAPI and Starlette (routing, dependencies, responses)", r"\((fastapi|starlette)/|app/api/"),
    ("HTTP server (uvicorn, h11)", r"\((uvicorn|h11|httptools)/"),
    ("event loop (asyncio)", r"\(asyncio/|selectors\.py|socket"),
    ("JSON (orjson/json)", r"\((orjson|json)/"),
)


# Top frames of threads that wait (the thread pool's idle workers, the event loop's select).
IDLE = re.compile(
    r"([\w.]*\.)?(wait|acquire|select|get|_worker|poll|run_forever) "
    r"\((threading|queue|selectors|anyio|asyncio|concurrent)"
)


def summarise(raw: Path) -> list[tuple[str, float]]:
    """Share of busy samples per layer, largest first."""
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        top = stack.split(";")[-1]
        if IDLE.match(top):
            continue  # a thread waiting for work or I/O, not running
        layer = next((name for name, pattern in LAYERS if re.search(pattern, top)), "other")
        counts[layer] += int(number)
    total = sum(counts.values()) or 1
    return [(name, 100 * count / total) for name, count in counts.most_common()]


def main() -> int:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        python = ROOT / ".venv" / "bin" / "python"
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    from bench.harness import LOAD_CORE, service_server
    from bench.load import postgres_corpus, sqlite_corpus
    from bench.run import _postgres_url
    from bench.targets import endpoints, pick
    from bench.wrk import run_wrk

    parser = argparse.ArgumentParser(prog="bench/profile.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--endpoint", default="claim")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--engine", choices=("sqlite", "postgres"), default="sqlite", help="the service's database"
    )
    args = parser.parse_args()
    path = sqlite_corpus(args.size)
    # PostgreSQL serves the same corpus (its endpoints are picked from the SQLite file, as bench/run.py does).
    server_url = _postgres_url(args.engine)
    database_url = postgres_corpus(args.size, server_url) if server_url else f"sqlite:///{path}"
    endpoint = next(e for e in endpoints(pick(path)) if e.name == args.endpoint)
    spy = Path(sys.executable).parent / "py-spy"
    with tempfile.TemporaryDirectory() as folder:
        server = service_server(
            "service" if args.engine == "sqlite" else "service-pg", database_url, Path(folder)
        )
        server.start()
        try:
            url = server.base_url + endpoint.path
            run_wrk(url, seconds=2, connections=32, core=LOAD_CORE)
            raw = Path(folder) / "samples.txt"
            recorder = subprocess.Popen(
                [
                    str(spy),
                    "record",
                    "-p",
                    str(server.pid),
                    "-d",
                    str(int(args.seconds)),
                    "-r",
                    "200",
                    "-f",
                    "raw",
                    "-o",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            result = run_wrk(url, seconds=args.seconds, connections=32, core=LOAD_CORE)
            recorder.wait(timeout=60)
        finally:
            server.stop()
        rate = f"{result.rps:.0f} req/s while sampled (slowed by py-spy)"
        print(f"{endpoint.name} at {args.size:,} claims on {args.engine}: {rate}")
        for name, share in summarise(raw):
            print(f"  {share:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
