"""CPU per request of the service process, by endpoint and engine, measured in-process (no HTTP server,
no load generator): each request goes straight through the ASGI app, and the process's CPU time (every
thread's, so reads offloaded to the thread pool count) is read before and after a batch.

    PYTHONPATH=$PWD .venv/bin/python -m bench.profile_requests \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/prof_pg [--size 10000] [--rounds 7]
    PYTHONPATH=$PWD .venv/bin/python -m bench.profile_requests --postgres URL --profile claim
    PYTHONPATH=$PWD .venv/bin/python -m bench.profile_requests --postgres URL --size 10000 --keep  # --reuse

The seed (`--size 0`, the default) or a synthetic corpus (`bench/load.py`) is loaded into a temporary
SQLite file and into the PostgreSQL database named by `--postgres` (created, and dropped afterwards).
Both apps live in one process and are measured in turn, batch by batch (`--rounds`, `--requests` per
batch), so a busy host slows both alike; the table gives each endpoint's median batch in µs of CPU a
request. PostgreSQL's own CPU is not counted: only this process's. `--concurrency 16` keeps 16 requests in
flight, as a loaded server has: a process that never idles does not pay for waking up after each wait,
which one request at a time does for every round trip. `--profile ENDPOINT` prints cProfile's
top functions for that endpoint on `--engine` instead (the event loop's thread and the worker threads'
profiles merged).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from starlette.concurrency import run_in_threadpool

from app.api import reading
from app.config import Settings
from app.db import create_database
from app.main import create_app
from app.services import migrations
from bench.asgi_get import asgi_get
from bench.corpus import Corpus
from bench.load import fill
from bench.targets import endpoints, pick
from seed.loader import load_seed

App = Callable[..., Any]
# The endpoints of issue 27's comparison (bench/targets.py names them).
ENDPOINTS = ("claim", "list_theme", "list_theme_entity", "search", "deep_page", "facets", "entity_alias")


def _cpu() -> float:
    """This process's CPU time so far, every thread's (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _batch(app: App, path: str, requests: int, concurrency: int = 1) -> float:
    """µs of CPU a request over `requests` GETs of `path`, `concurrency` of them in flight at a time."""

    async def client(count: int) -> None:
        for _ in range(count):
            status, _body = await asgi_get(app, path)
            if status != 200:
                raise SystemExit(f"{path}: {status}")

    began = _cpu()
    share, extra = divmod(requests, concurrency)
    await asyncio.gather(*(client(share + (index < extra)) for index in range(concurrency)))
    return (_cpu() - began) / requests * 1e6


def _load(url: str, size: int) -> None:
    """Migrate the database at `url` and load the seed (`size` 0) or a synthetic corpus."""
    database = create_database(Settings(database_url=url))
    try:
        if size:
            fill(database, Corpus(size))
        else:
            migrations.upgrade(database)
            load_seed(database)
    finally:
        database.dispose()


def _create_postgres(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop_postgres(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _profiled(app: App, path: str, requests: int, top: int) -> str:
    """cProfile's top functions over `requests` GETs, the worker threads' calls included."""
    worker = cProfile.Profile(time.thread_time)  # CPU, not the clock: waits for PostgreSQL excluded
    offloaded = False

    def in_worker(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        nonlocal offloaded
        offloaded = True
        worker.enable()  # requests run one at a time: one worker thread profiled at once
        try:
            return call(*args, **kwargs)
        finally:
            worker.disable()

    async def profiled_threadpool(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(in_worker, call, *args, **kwargs)

    setattr(reading, "run_in_threadpool", profiled_threadpool)  # noqa: B010 (a patch, undone below)
    loop_profile = cProfile.Profile(time.thread_time)

    async def run() -> None:
        loop_profile.enable()
        for _ in range(requests):
            await asgi_get(app, path)
        loop_profile.disable()

    try:
        asyncio.run(run())
    finally:
        setattr(reading, "run_in_threadpool", run_in_threadpool)  # noqa: B010
    out = io.StringIO()
    stats = pstats.Stats(loop_profile, stream=out)
    if offloaded:  # pstats cannot read a profile that never ran
        stats.add(worker)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/profile_requests.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL database URL to create, load and drop")
    parser.add_argument("--size", type=int, default=0, help="claims of a synthetic corpus (0: the seed)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight at a time (1: each waits for the last)"
    )
    parser.add_argument("--profile", metavar="ENDPOINT", help="cProfile this endpoint instead")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the PostgreSQL database as it is (kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        sqlite_path = Path(folder) / "prof.db"
        urls = {"sqlite": f"sqlite:///{sqlite_path}"}
        if args.postgres:
            urls["postgresql"] = args.postgres
            if not args.reuse:
                _create_postgres(args.postgres)
        try:
            for engine, url in urls.items():
                if engine == "sqlite" or not args.reuse:
                    _load(url, args.size)
            paths = {
                endpoint.name: endpoint.path
                for endpoint in endpoints(pick(sqlite_path))
                if endpoint.name in ENDPOINTS
            }
            built = {engine: create_app(Settings(database_url=url)) for engine, url in urls.items()}
            apps: dict[str, App] = dict(built)
            try:
                if args.profile:
                    print(_profiled(apps[args.engine], paths[args.profile], args.requests * 5, 40))
                    return 0
                figures = asyncio.run(_measure(apps, paths, args.rounds, args.requests, args.concurrency))
            finally:
                for one in built.values():
                    one.state.database.dispose()
        finally:
            if args.postgres and not (args.keep or args.reuse):
                _drop_postgres(args.postgres)
    corpus = f"{args.size:,} claims" if args.size else "the seed"
    batches = f"median of {args.rounds} batches of {args.requests}, {args.concurrency} at a time"
    print(f"CPU µs per request, in-process ({corpus}; {batches})")
    engines = list(urls)
    print("| endpoint | " + " | ".join(engines) + " |")
    print("|---|" + "--:|" * len(engines))
    for name in paths:
        cells = [f"{statistics.median(figures[name, engine]):.0f}" for engine in engines]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


async def _measure(
    apps: dict[str, App], paths: dict[str, str], rounds: int, requests: int, concurrency: int
) -> dict[tuple[str, str], list[float]]:
    """Every endpoint on every engine in turn, `rounds` times, after a warm-up batch each."""
    figures: dict[tuple[str, str], list[float]] = {}
    for path in paths.values():
        for app in apps.values():
            await _batch(app, path, max(20, requests // 4), concurrency)
    for _ in range(rounds):
        for name, path in paths.items():
            for engine, app in apps.items():
                figures.setdefault((name, engine), []).append(await _batch(app, path, requests, concurrency))
    return figures


if __name__ == "__main__":
    sys.exit(main())
