"""SQLite writes on the event loop, run in slices: between two statements a write that has held the loop
for `SLICE_S` gives it back for one turn, so reads waiting there are served before it goes on.

A write on the loop is several times quicker than one in a worker thread beside busy readers, but run
whole it held the loop for its full length, and every read arriving meanwhile waited that long
(docs/performance.md, "Writes"). The write runs in a greenlet (SQLAlchemy's `greenlet_spawn`, as
PostgreSQL reads do) and pauses in its write engine's `before_cursor_execute`, where no statement of its
own is in flight. It keeps the write lock while paused: another write meanwhile finds the writer busy and
runs in a thread, as before; reads use other connections and see the last commit (WAL).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from greenlet import getcurrent  # type: ignore[import-untyped]  # greenlet ships no type hints
from sqlalchemy import Engine, event
from sqlalchemy.util import await_only, greenlet_spawn

T = TypeVar("T")
logger = logging.getLogger("sectorfacts.writes")

# How long a write holds the loop before it gives way to what waits there.
SLICE_S = 0.002


class _Slices:
    """The running write's greenlet, when its current slice began, and the loop time its slices took."""

    __slots__ = ("began", "greenlet", "spent")

    def __init__(self) -> None:
        self.greenlet: Any = None
        self.began = time.perf_counter()
        self.spent = 0.0


_running: ContextVar[_Slices | None] = ContextVar("sectorfacts_write_slices", default=None)


def give_way_between_statements(engine: Engine) -> None:
    """Make the write engine's statements the points where a write in slices pauses."""

    def _between(*_: Any) -> None:
        slices = _running.get()
        # Only the write's own greenlet pauses: a task started during the write copies the context.
        if slices is None or slices.greenlet is not getcurrent():
            return
        now = time.perf_counter()
        if now - slices.began < SLICE_S:
            return
        slices.spent += now - slices.began
        await_only(asyncio.sleep(0))
        slices.began = time.perf_counter()

    # First among the listeners: a pause must not count in a statement's time (metrics, deadlines).
    event.listen(engine, "before_cursor_execute", _between, insert=True)


async def run_in_slices(call: Callable[[], T], spend: Callable[[float], None]) -> T:
    """`call()`, a write, on the event loop in slices; `spend` is given the loop time it took (its pauses
    not counted), whether it succeeded or raised. A cancellation waits for the write to end: a write is
    never abandoned midway."""
    slices = _Slices()

    def started() -> T:
        slices.greenlet = getcurrent()
        slices.began = time.perf_counter()
        try:
            return call()
        finally:
            slices.spent += time.perf_counter() - slices.began

    token = _running.set(slices)
    try:
        task = asyncio.ensure_future(greenlet_spawn(started))  # runs in a copy of this context
    finally:
        _running.reset(token)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            logger.warning("A write cancelled while it ran failed", exc_info=task.exception())
        raise
    finally:
        spend(slices.spent)
