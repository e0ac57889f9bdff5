"""Running read services from async routes: on the event loop when that is cheapest, else in the pool.

A thread-pool hand-off costs more CPU than a SQLite lookup by key or a short keyset page, so on SQLite a
read first runs inline, on the event loop, within a small time budget (`inline_read_budget_ms`). A read
that outlasts it is stopped by SQLite's progress handler and run again in the thread pool, under the
normal query time limit, so no slow query holds the loop longer than the budget. The same read (same
service, same arguments) then goes straight to the pool for its next `POOL_RUNS_AFTER_SPILL` calls, and
for as long after as each pooled run still measures it over budget, so an expensive query that is asked
often does not pay the stopped attempt every time; but only once its run in the pool has shown it over
budget too (by CPU time), so that a hiccup (a garbage collection, a
cold page cache) sends no other call to the pool, and only while the pool has a free slot (else it tries
inline first), so that calls never queue behind a read wrongly remembered as slow; a read whose pooled
run cost several budgets (`HEAVY_READ_BUDGETS`) queues for the pool all the same. A pooled read is slow
while the loop is busy: its thread waits for the GIL at each row and each progress callback, up to the
switch interval each time, so under 256 connections one hiccup sent a hundred list pages to the pool at
about a quarter of a second each, two at a time (a 10 s tail). At most `SLOW_READS_AT_ONCE` such reads
run at a time; the others queue. Run all at once they shared the CPU until none finished: 32 concurrent
facets requests at 100,000 claims (0.3 s of CPU each) answered nothing in 3 s. PostgreSQL reads wait on
the network and always run in the pool, unqueued. The inline budget counts CPU time, not the clock
(app/query_deadline.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.db import Database, inline_reads
from app.query_deadline import interrupted, read_budget

P = ParamSpec("P")
T = TypeVar("T")

POOL_RUNS_AFTER_SPILL = 100
# SQLite releases the GIL while it steps, so slow reads can use every core, and no more.
SLOW_READS_AT_ONCE = max(2, os.cpu_count() or 2)
# A read whose pooled run cost this many budgets of CPU or more waits for a pool slot even when none is
# free: it is no cheap read slowed by a busy loop (those stay under one budget), and trying it inline
# first only stopped it at the budget, replacing the loop's connection, before it queued anyway (facets
# at 100,000 claims under 256 connections: 58 -> 47 ms of CPU each, p99 9.4-9.9 -> 7.7 s).
HEAVY_READ_BUDGETS = 2
# Reads remembered as over budget, at most this many (the oldest are forgotten first).
REMEMBERED_SPILLS = 4096


def _read_key(call: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]) -> str:
    """What identifies a read: the service and its arguments (the request and the database aside)."""
    shown = [repr(arg) for arg in args if not isinstance(arg, Request | Database)]
    shown += [f"{name}={value!r}" for name, value in kwargs.items()]
    return f"{call.__module__}.{call.__qualname__}({', '.join(shown)})"


async def run_read(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a read-only service call: inline within the budget, else in the pool."""
    budget = database.inline_read_budget_s
    if database.is_sqlite and budget > 0:
        spilled = database.spilled_reads
        key = _read_key(call, args, kwargs)
        pool_runs, heavy = spilled.get(key, (0, False))
        if pool_runs > 0 and (heavy or _limiter(database).available_tokens > 0):
            # Its last pool run forgets it, and remembers it afresh if still over budget (each pooled run
            # measures it again): left at 0, it would have tried inline first on every call after.
            if pool_runs > 1:
                spilled[key] = (pool_runs - 1, heavy)
            else:
                del spilled[key]
        else:  # not known to be slow, or the pool busy: a cheap read must not queue behind slow ones
            try:
                with read_budget(budget), inline_reads():
                    return call(*args, **kwargs)
            except OperationalError as error:
                if not interrupted(error):
                    raise
            # Over budget: reads change nothing, so running it again from the start is safe.
        result, cpu_spent = await anyio.to_thread.run_sync(
            partial(_timed, call, *args, **kwargs), limiter=_limiter(database)
        )
        if cpu_spent <= budget:
            spilled.pop(key, None)  # cheap after all: the next call tries inline
        elif key not in spilled:
            if len(spilled) >= REMEMBERED_SPILLS:
                del spilled[next(iter(spilled))]
            spilled[key] = (POOL_RUNS_AFTER_SPILL, cpu_spent >= HEAVY_READ_BUDGETS * budget)
        return result
    return await run_in_threadpool(call, *args, **kwargs)


def _timed(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    """`call(*args, **kwargs)` and the CPU time its thread spent on it (waits for the GIL not counted)."""
    began = time.thread_time()
    result = call(*args, **kwargs)
    return result, time.thread_time() - began


def _limiter(database: Database) -> CapacityLimiter:
    """The queue of slow SQLite reads of this database in the running event loop (made on first use)."""
    loop = id(asyncio.get_running_loop())
    limiter = database.slow_read_queues.get(loop)
    if limiter is None:
        limiter = database.slow_read_queues[loop] = CapacityLimiter(SLOW_READS_AT_ONCE)
    return limiter
