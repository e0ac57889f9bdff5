#!/usr/bin/env python3
"""What SQLite spends on each statement of a benchmarked list request, beside Datasette's canned query.

    python3 bench/statements.py --size 100000 [--runs 2000]

The service answers each list endpoint once (in-process, its statements recorded as they run); then
every recorded statement, and the endpoint's Datasette canned query, is run again on one read-only
connection with the service's read pragmas, and the median time of `--runs` runs is printed. This is
SQLite's share only: what Python does around each statement is in `bench/profile.py`'s figures.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LISTS = ("list_theme", "list_theme_entity", "deep_page")


def median_us(connection: sqlite3.Connection, sql: str, parameters: Any, runs: int) -> float:
    """The median time of `runs` runs of `sql` on `connection`, in microseconds, after a warm-up."""
    for _ in range(min(runs, 50)):  # warm the page cache
        connection.execute(sql, parameters).fetchall()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute(sql, parameters).fetchall()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1e6


def main() -> int:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        python = ROOT / ".venv" / "bin" / "python"
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from app.config import Settings
    from app.db import READ_CACHE_KIB, READ_MMAP_BYTES, create_database
    from app.services import claims
    from app.services.claim_filters import ClaimFilters
    from bench.load import sqlite_corpus
    from bench.targets import endpoints, pick

    parser = argparse.ArgumentParser(prog="bench/statements.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2000)
    arguments = parser.parse_args()

    path = sqlite_corpus(arguments.size)
    picks = pick(path)
    chosen = {endpoint.name: endpoint for endpoint in endpoints(picks)}
    cursor = chosen["deep_page"].path.rpartition("cursor=")[2]
    requests = {
        "list_theme": (ClaimFilters(themes=[picks.theme]), None),
        "list_theme_entity": (ClaimFilters(themes=[picks.theme], entities=[picks.entity]), None),
        "deep_page": (ClaimFilters(themes=[picks.theme]), cursor),
    }
    database = create_database(Settings(database_url=f"sqlite:///{path}"))
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    reader.execute("PRAGMA query_only = ON")
    reader.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
    reader.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
    print(f"SQLite time per statement, {arguments.size:,} claims, median of {arguments.runs:,} runs")
    try:
        for name in LISTS:
            filters, page_cursor = requests[name]
            recorded: list[tuple[str, Any]] = []

            def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
                recorded.append((statement, parameters))  # noqa: B023 - removed before the next endpoint

            event.listen(database.read_engine, "before_cursor_execute", record)
            try:
                claims.list_claims_json(database, filters, limit=20, cursor=page_cursor)
            finally:
                event.remove(database.read_engine, "before_cursor_execute", record)
            print(f"\n{name}  {chosen[name].path}")
            total = 0.0
            for statement, parameters in recorded:
                spent = median_us(reader, statement, parameters, arguments.runs)
                total += spent
                print(f"  {spent:8.1f} us  {' '.join(statement.split())[:90]}")
            print(f"  {total:8.1f} us  the service's statements together")
            canned = chosen[name]
            assert canned.query is not None
            spent = median_us(reader, canned.query, canned.params, arguments.runs)
            print(f"  {spent:8.1f} us  Datasette's canned query")
    finally:
        reader.close()
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
