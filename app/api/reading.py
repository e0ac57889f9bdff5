"""Running read services from async routes: on the event loop when that is cheapest, else in the pool.

A thread-pool hand-off costs more CPU than a SQLite lookup by key or a short keyset page, so on SQLite a
read first runs inline, on the event loop, within a small time budget (`inline_read_budget_ms`). A read
that outlasts it is stopped by SQLite's progress handler and run again in the thread pool, under the
normal query time limit, so no slow query holds the loop longer than the budget. PostgreSQL reads wait
on the network and always run in the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.query_deadline import interrupted, read_budget

P = ParamSpec("P")
T = TypeVar("T")


async def run_read(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a read-only service call: inline within the budget, else in the pool."""
    budget = database.inline_read_budget_s
    if database.is_sqlite and budget > 0:
        try:
            with read_budget(budget):
                return call(*args, **kwargs)
        except OperationalError as error:
            if not interrupted(error):
                raise
            # Over budget: reads change nothing, so running it again from the start is safe.
    return await run_in_threadpool(call, *args, **kwargs)
