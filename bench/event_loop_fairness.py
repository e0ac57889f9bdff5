#!/usr/bin/env python3
"""Why the service runs on Python's own event loop: its tail latency under 256 connections, by loop.

    python3 bench/event_loop_fairness.py [--size 100000] [--rounds 3] [--seconds 10]

Starts the service on the benchmark's SQLite corpus with uvicorn's `--loop asyncio` and, where uvloop
is installed, `--loop uvloop`, a fresh process each time, pinned to one core; warms it with 32
connections, then loads one claim and a list by theme with wrk from the other core, opening 256
connections at once, as the benchmark's high-concurrency runs do. Prints req/s, p50, p99 and errors.
uvloop is no longer a dependency: where it is not installed only asyncio is measured
(`.venv/bin/pip install uvloop` to compare).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import LOAD_CORE, service_server  # noqa: E402
from bench.load import sqlite_corpus  # noqa: E402
from bench.targets import endpoints, pick  # noqa: E402
from bench.wrk import run_wrk  # noqa: E402

MEASURED = ("claim", "list_theme")


def main() -> int:
    """Measure each available loop `--rounds` times; 0 when done."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    database = sqlite_corpus(args.size)
    chosen = [e for e in endpoints(pick(database)) if e.name in MEASURED]
    loops = ["asyncio"] + (["uvloop"] if importlib.util.find_spec("uvloop") else [])
    if len(loops) == 1:
        print("uvloop is not installed: measuring asyncio only", file=sys.stderr)
    print(f"{'loop':8} {'round':>5} {'endpoint':11} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for round_number in range(1, args.rounds + 1):
        for loop in loops:
            server = service_server(f"service-{loop}", f"sqlite:///{database}", None, loop)
            server.start()
            try:
                for endpoint in chosen:
                    url = server.base_url + endpoint.path
                    run_wrk(url, seconds=2, connections=32, core=LOAD_CORE)  # warm-up
                    result = run_wrk(url, seconds=args.seconds, connections=256, core=LOAD_CORE)
                    print(
                        f"{loop:8} {round_number:>5} {endpoint.name:11} {result.rps:>7.0f} "
                        f"{result.p50_ms:>8.1f} {result.p99_ms:>8.1f} {result.errors:>6}",
                        flush=True,
                    )
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
