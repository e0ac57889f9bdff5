#!/usr/bin/env python3
"""What one stopped statement costs the reads after it, and that the service recovers.

    python3 bench/interrupted_statements.py [--size 100000] [--runs 2000]

First plain sqlite3: a statement stopped by the progress handler while its rows are being read stays
marked as in use in Python's statement cache (`sqlite3_reset` returns the interruption's error), so
every later run of the same SQL compiles it afresh, as with no statement cache at all. Then the
service: a list page by the benchmark's theme, run inline with the production budget, on two fresh
databases, one whose first (cold) read was stopped early, as one longer than the budget is. Medians
of `--runs`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A statement that is slow to compile and quick to run, so compiling shows.
_CONDITIONS = "".join(f" AND (i + {k}) > ? - {k}" for k in range(150))
_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
_SQL = _NUMBERS + " SELECT i FROM n WHERE i > ?" + _CONDITIONS  # noqa: S608 - constants only
_PARAMETERS = (0,) * 151


def _plain_sqlite(runs: int) -> None:
    from bench.statements import median_us

    cached = sqlite3.connect(":memory:", isolation_level=None)
    uncached = sqlite3.connect(":memory:", isolation_level=None, cached_statements=0)
    before = median_us(cached, _SQL, _PARAMETERS, runs)
    stop = [False]
    cached.set_progress_handler(lambda: stop[0], 100)
    cursor = cached.execute(_SQL, _PARAMETERS)  # the first row is read here
    stop[0] = True
    try:
        cursor.fetchall()
    except sqlite3.OperationalError as error:
        versions = f"sqlite3 {sqlite3.sqlite_version}, Python {sys.version.split()[0]}"
        print(f"{versions}: stopped mid-read ({error})")
    stop[0] = False
    after = median_us(cached, _SQL, _PARAMETERS, runs)
    none = median_us(uncached, _SQL, _PARAMETERS, runs)
    print(f"  same SQL, cached statement:          {before:8.0f} us")
    print(f"  after one run was stopped mid-read:  {after:8.0f} us")
    print(f"  with no statement cache:             {none:8.0f} us")


def _service(size: int, runs: int) -> None:
    from app.api.reading import run_read
    from app.config import Settings
    from app.db import Database, create_database
    from app.services import claims
    from app.services.claim_filters import ClaimFilters
    from bench.load import sqlite_corpus
    from bench.targets import pick

    path = sqlite_corpus(size)
    filters = ClaimFilters(themes=[pick(path).theme])
    settings = Settings(database_url=f"sqlite:///{path}", seed_on_empty=False)

    async def page(database: Database) -> object:
        return await run_read(database, claims.list_claims_json, database, filters, limit=20, cursor=None)

    async def median_us(database: Database) -> float:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await page(database)
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1e6

    async def measure() -> None:
        never_stopped, stopped_once = create_database(settings), create_database(settings)
        budget = never_stopped.inline_read_budget_s
        started = time.perf_counter()
        claims.list_claims_json(never_stopped, filters, limit=20, cursor=None)  # cold, no budget
        cold = time.perf_counter() - started
        # The other's first, cold, read is stopped a fifth of the way, in its page statement while its
        # rows are read, as a first read five times the budget is (set for that read only: a frozen
        # dataclass); it is then answered from the pool, as an offloaded read is.
        object.__setattr__(stopped_once, "inline_read_budget_s", cold / 5)
        await page(stopped_once)
        object.__setattr__(stopped_once, "inline_read_budget_s", budget)
        stopped_once.slow_reads.clear()  # inline again at once, as once a pooled run fits the budget
        for database in (never_stopped, stopped_once):
            for _ in range(50):
                await page(database)
        first, second = await median_us(never_stopped), await median_us(stopped_once)
        print(f"service, list by one theme at {size:,} claims, inline ({budget * 1000:g} ms budget):")
        print(f"  first read (cold):                     {cold * 1e6:8.0f} us")
        print(f"  a page, first read never stopped:      {first:8.0f} us")
        print(f"  a page, first read stopped early:      {second:8.0f} us")
        never_stopped.dispose()
        stopped_once.dispose()

    asyncio.run(measure())


def main() -> int:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        python = ROOT / ".venv" / "bin" / "python"
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="bench/interrupted_statements.py", description=summary)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2000)
    arguments = parser.parse_args()
    _plain_sqlite(min(arguments.runs, 500))
    _service(arguments.size, arguments.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
