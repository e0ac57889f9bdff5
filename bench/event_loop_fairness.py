#!/usr/bin/env python3
"""Why the service runs on Python's own event loop: tail latency under 256 connections, by loop.

    python3 bench/event_loop_fairness.py [--rounds 3] [--seconds 10] [--busy-us 600]

Serves a bare ASGI app (bench/peers/busy.py: a fixed CPU time a request, as a list page costs, and
a 12 KB answer) with uvicorn on each event loop in turn, pinned to one core, and loads it with wrk from
the other core, opening 256 connections at once, as the benchmark's high-concurrency runs do. Prints
req/s, p50, p99 and errors for each round. uvloop is no longer a dependency: where it is not installed,
only asyncio is measured (`pip install uvloop` into the service's environment to compare).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import LOAD_CORE, SERVER_CORE  # noqa: E402
from bench.procs import Server, free_port, pinned  # noqa: E402
from bench.wrk import run_wrk  # noqa: E402


def _server(loop: str, busy_us: int) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.peers.busy:app",
        "--loop",
        loop,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {"BENCH_BUSY_US": str(busy_us), "PYTHONPATH": str(ROOT)}
    return Server(f"busy-{loop}", pinned(argv, SERVER_CORE), port, env, "/")


def main() -> int:
    """Measure each available loop `--rounds` times; 0 when done."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--busy-us", type=int, default=600)
    args = parser.parse_args()
    loops = ["asyncio"] + (["uvloop"] if importlib.util.find_spec("uvloop") else [])
    if len(loops) == 1:
        print("uvloop is not installed: measuring asyncio only", file=sys.stderr)
    print(f"{'loop':8} {'round':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for round_number in range(1, args.rounds + 1):
        for loop in loops:
            server = _server(loop, args.busy_us)
            server.start()
            try:
                result = run_wrk(
                    server.base_url + "/",
                    seconds=args.seconds,
                    connections=args.connections,
                    core=LOAD_CORE,
                )
            finally:
                server.stop()
            print(
                f"{loop:8} {round_number:>5} {result.rps:>8.0f} {result.p50_ms:>8.1f} "
                f"{result.p99_ms:>8.1f} {result.errors:>6}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
