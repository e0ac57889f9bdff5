"""Running read services from async routes on the event loop, or offloaded to the thread pool.

On PostgreSQL (psycopg) every read runs on the event loop, in a greenlet: the service stays a plain
function, and each time it waits for the server the loop serves other requests (`Database.awaiting_reads`
lends it a connection that awaits the server there, app/loop_waits.py). A read costs the loop only its own
CPU.

On SQLite the loop would wait with the read, so a short read, which costs less than the hand-off to a
worker thread, runs there within `inline_read_budget_ms` of CPU; past it SQLite stops it. Reads change
nothing, so a stopped read runs again from the start in the thread pool. A read whose run there is over
budget too is remembered and offloaded straight away on its next calls. Slow reads run a few at a time,
so that they finish rather than share the CPU until none does. docs/performance.md ("Reads on the event
loop") gives the figures behind each rule.
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
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import greenlet_spawn
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.db import Database, inline_reads
from app.query_deadline import interrupted, read_budget

P = ParamSpec("P")
T = TypeVar("T")

# SQLite releases the GIL while it steps, so slow reads can use every core, and no more.
SLOW_READS_AT_ONCE = max(2, os.cpu_count() or 2)
# A read whose offloaded run cost this many budgets of CPU is no cheap read slowed by a busy loop (those
# stay under one budget): it waits for a slot of the queue even when none is free, since an inline
# attempt would only be stopped at the budget, costing the loop its kept connection, before it queued.
HEAVY_READ_BUDGETS = 2
# Slow reads remembered, at most this many (the oldest are forgotten first).
REMEMBERED_SLOW_READS = 4096


async def run_read(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a read-only service call: on the event loop (awaiting PostgreSQL, or within
    SQLite's budget), else offloaded."""
    if database.awaiting_read_engine is not None:
        slots = _awaiting_slots(database, database.awaiting_read_engine)
        await _take_slot(slots, database.awaiting_read_engine)
        try:
            with database.awaiting_reads():
                return await greenlet_spawn(partial(call, *args, **kwargs))
        finally:
            slots.release()
    budget = database.inline_read_budget_s
    if budget <= 0 or not database.is_sqlite:
        return await run_in_threadpool(call, *args, **kwargs)
    # The key costs a repr of the arguments: only worth building when some read is remembered as slow.
    key = _read_key(call, args, kwargs) if database.slow_reads else None
    if key is None or not _offload_at_once(database, key):
        try:
            with read_budget(budget), inline_reads():
                return call(*args, **kwargs)
        except OperationalError as error:
            if not interrupted(error):
                raise
        # Stopped at the budget: reads change nothing, so running it again from the start is safe.
    result, cost = await anyio.to_thread.run_sync(
        partial(_timed, call, *args, **kwargs), limiter=_limiter(database)
    )
    _remember(database.slow_reads, key or _read_key(call, args, kwargs), cost, budget)
    return result


async def run_slow_read(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a read-only service call known to cost more than the inline budget: on
    SQLite it waits for a slot of the slow-read queue with no inline attempt (which would only be stopped
    at the budget, costing the loop that CPU and its kept connection, for each request of a herd). On
    PostgreSQL it runs on the loop as any read does: the loop waits for none of its statements."""
    if database.awaiting_read_engine is not None:
        return await run_read(database, call, *args, **kwargs)
    if not database.is_sqlite or database.inline_read_budget_s <= 0:
        return await run_in_threadpool(call, *args, **kwargs)
    return await anyio.to_thread.run_sync(partial(call, *args, **kwargs), limiter=_limiter(database))


def _read_key(call: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]) -> str:
    """What identifies a read: the service and its arguments (the request and the database aside)."""
    shown = [repr(arg) for arg in args if not isinstance(arg, Request | Database)]
    shown += [f"{name}={value!r}" for name, value in kwargs.items()]
    return f"{call.__module__}.{call.__qualname__}({', '.join(shown)})"


def _offload_at_once(database: Database, key: str) -> bool:
    """Whether to skip the inline attempt: the read is remembered as slow, and either heavy or a slot of
    the queue is free (a cheap read must not queue behind slow ones because it was once slow)."""
    heavy = database.slow_reads.get(key)
    if heavy is None:
        return False
    return heavy or _limiter(database).available_tokens > 0


def _remember(slow_reads: dict[str, bool], key: str, cpu_seconds: float, budget: float) -> None:
    """Note what an offloaded run cost: a read within the budget is forgotten (its inline attempt was only
    unlucky, a garbage collection say), one over it is remembered as slow, and as heavy past several."""
    slow_reads.pop(key, None)
    if cpu_seconds <= budget:
        return
    if len(slow_reads) >= REMEMBERED_SLOW_READS:
        del slow_reads[next(iter(slow_reads))]
    slow_reads[key] = cpu_seconds >= HEAVY_READ_BUDGETS * budget


def _timed(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    """`call(*args, **kwargs)` and the CPU time its thread spent on it (waits for the GIL not counted)."""
    began = time.thread_time()
    result = call(*args, **kwargs)
    return result, time.thread_time() - began


def _awaiting_slots(database: Database, engine: Engine) -> asyncio.Semaphore:
    """The slots of PostgreSQL reads on this database in the running event loop, one per connection of
    the awaiting engine's pool (made on first use)."""
    loop = id(asyncio.get_running_loop())
    slots = database.awaiting_read_semaphores.get(loop)
    if slots is None:
        size = engine.pool.size() if isinstance(engine.pool, QueuePool) else 1
        slots = database.awaiting_read_semaphores[loop] = asyncio.Semaphore(size)
    return slots


async def _take_slot(slots: asyncio.Semaphore, engine: Engine) -> None:
    """A slot of `slots`, waited for at most the pool's timeout, as a pooled connection would be; past it,
    the pool's TimeoutError (answered 503 with Retry-After)."""
    if not slots.locked():
        await slots.acquire()  # free: taken at once
        return
    timeout = engine.pool.timeout() if isinstance(engine.pool, QueuePool) else None
    try:
        async with asyncio.timeout(timeout):
            await slots.acquire()
    except TimeoutError as error:
        raise PoolTimeoutError(f"No read slot came free within {timeout} s.") from error


def _limiter(database: Database) -> CapacityLimiter:
    """The queue of slow SQLite reads of this database in the running event loop (made on first use)."""
    loop = id(asyncio.get_running_loop())
    limiter = database.slow_read_queues.get(loop)
    if limiter is None:
        limiter = database.slow_read_queues[loop] = CapacityLimiter(SLOW_READS_AT_ONCE)
    return limiter
