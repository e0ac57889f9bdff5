#!/usr/bin/env python3
"""CPU per request, in-process: the app called through ASGI (no server, no sockets, no load generator),
each request timed with the process's CPU clock (every thread, so offloaded reads count too).

    PYTHONPATH=$PWD python bench/request_cpu.py --database /tmp/copy.db [--repeat 50] [PATH ...]

Without paths it times the benchmark's facets request and a few other facets filters on the corpus.
Point `--database` at a copy of a corpus: the app's connections may write to the file (WAL, pragmas).
Prints the median and the 90th percentile of CPU ms per request after `--warm` unmeasured calls;
`--answer-cache-mb 0` times facets counted on every request (no answers kept).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.asgi_get import asgi_get  # noqa: E402
from bench.targets import pick  # noqa: E402


def facet_paths(database: Path) -> list[str]:
    """The benchmarked facets request and a few other filter combinations on the same picks."""
    picks = pick(database)
    theme, entity = picks.theme, picks.entity
    return [
        f"/v1/claims/facets?theme={theme}&size=1000",
        "/v1/claims/facets?size=1000",
        f"/v1/claims/facets?entity={entity}&size=1000",
        "/v1/claims/facets?kind=fact&size=1000",
        f"/v1/claims/facets?theme={theme}&entity={entity}&size=1000",
        f"/v1/claims/facets?theme={theme}&kind=fact&size=1000",
        f"/v1/claims/{picks.claim}",
    ]


HEADERS = [(b"host", b"bench")]


async def measure(app: Any, path: str, warm: int, repeat: int) -> tuple[float, float, int]:
    """Median and 90th percentile CPU ms of `path`, and its answer's size in bytes."""
    for _ in range(warm):
        status, body = await asgi_get(app, path, HEADERS)
        if status != 200:
            raise SystemExit(f"{path}: {status} {body[:300]!r}")
    spent = []
    for _ in range(repeat):
        began = time.process_time()
        await asgi_get(app, path, HEADERS)
        spent.append((time.process_time() - began) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(0.9 * (len(spent) - 1))], len(body)


async def main_async(arguments: argparse.Namespace) -> None:
    """Time each path in turn."""
    settings = Settings(
        database_url=f"sqlite:///{arguments.database}", answer_cache_mb=arguments.answer_cache_mb
    )
    app = create_app(settings)
    paths = arguments.paths or facet_paths(arguments.database)
    print(f"{'median ms':>9} {'p90 ms':>7} {'bytes':>8}  path")
    for path in paths:
        median, p90, size = await measure(app, path, arguments.warm, arguments.repeat)
        print(f"{median:9.3f} {p90:7.3f} {size:8}  {path}", flush=True)
    app.state.database.dispose()


def main() -> int:
    """Parse the arguments and time the requests."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, required=True, help="a copy of a SQLite corpus")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--answer-cache-mb", type=int, default=32, help="0: every facets answer counted (no kept answers)"
    )
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as browsers do (wrk does not)")
    parser.add_argument("paths", nargs="*")
    arguments = parser.parse_args()
    if arguments.gzip:
        HEADERS.append((b"accept-encoding", b"gzip"))
    asyncio.run(main_async(arguments))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
