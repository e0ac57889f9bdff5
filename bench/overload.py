#!/usr/bin/env python3
"""One endpoint of the service under 32, then 256 connections: req/s, p50, p99, errors and the server's
CPU a request, for a closer look than the full benchmark gives.

    python3 bench/overload.py --size 100000 --endpoint facets [--rounds 2]

Starts the service on the cached SQLite corpus as `bench/run.py` does (pinned to the server core, wrk to
the load core), warms it for 3 s at 32 connections, then runs 5 s at 32 connections and `--rounds` runs
of 10 s at 256 (wrk's timeout 10 s, as in the benchmark), waiting for the server to be idle after each.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        python = ROOT / ".venv" / "bin" / "python"
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # the service is started as `python -m uvicorn app.main:create_app`
    from bench.harness import LOAD_CORE, service_server
    from bench.load import sqlite_corpus
    from bench.targets import endpoints, pick
    from bench.wrk import run_wrk

    parser = argparse.ArgumentParser(prog="bench/overload.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--endpoint", default="facets")
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()

    path = sqlite_corpus(arguments.size)
    chosen = {endpoint.name: endpoint for endpoint in endpoints(pick(path))}
    server = service_server("service", f"sqlite:///{path}", None)
    server.start()
    try:
        url = server.base_url + chosen[arguments.endpoint].path
        run_wrk(url, seconds=3, connections=32, core=LOAD_CORE)
        server.wait_until_idle()
        for connections, seconds in [(32, 5), *[(256, 10)] * arguments.rounds]:
            before = server.cpu_seconds()
            result = run_wrk(url, seconds=seconds, connections=connections, core=LOAD_CORE)
            server.wait_until_idle()
            cpu_ms = (server.cpu_seconds() - before) / max(result.requests, 1) * 1000
            print(
                f"{arguments.endpoint} at {arguments.size:,} claims, {connections} connections: "
                f"{result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"{result.errors} errors, {cpu_ms:.2f} ms of CPU a request",
                flush=True,
            )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
