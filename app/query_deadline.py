"""Time limits on SQLite read queries: a progress handler stops a query past its deadline (as Datasette does).

Two limits share the handler: `query_timeout_ms` on every statement (an OperationalError: 503), and the
inline budget of `read_budget`, which bounds how long a read run on the event loop may hold it.
PostgreSQL needs none of this: its connections set statement_timeout (app/db.py).

The inline budget counts the CPU time the thread spends, not the time on the clock. A read on the event
loop waits whenever a thread-pool read holds the GIL (each progress callback and each row needs it back)
or the OS runs something else; counted by the clock, those waits stopped cheap reads, which then went
to the pool, queued behind slow ones, and made the waiting worse for everyone.

A connection on which the handler stopped a statement is replaced before its next use. Python's sqlite3
(3.11) keeps a statement stopped while its rows were being read marked as in use in the connection's
statement cache, because `sqlite3_reset` then returns the interruption's error; every later run of the
same SQL on that connection compiles it afresh, which slows every later read of that SQL there
(`python3 bench/interrupted_statements.py` measures it).
"""

from __future__ import annotations

import math
import sqlite3
import time
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError, OperationalError

from app.contextvar_block import ContextVarBlock

# How many SQLite virtual machine steps run between two looks at the clock.
PROGRESS_STEPS = 1000
_DEADLINE = "sectorfacts_query_deadline"
# Set in a connection's info once the progress handler has stopped a statement on it.
_INTERRUPTED = "sectorfacts_interrupted"


class _Budget:
    """The inline budget of one block of reads: its length, and when it began by the clock and by the
    thread's CPU time (a thread's CPU time never runs ahead of the clock, so only past `wall_ends` is it
    worth reading)."""

    __slots__ = ("cpu_ends", "seconds", "wall_ends")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.wall_ends = time.monotonic() + seconds
        self.cpu_ends = time.thread_time() + seconds


# The budget of the current block of reads (None: no budget).
_budget: ContextVar[_Budget | None] = ContextVar("sectorfacts_read_budget", default=None)


def limit_query_time(engine: Engine, timeout_ms: int) -> None:
    """Stop any query on `engine` that runs longer than `timeout_ms` (0: no limit) or past a read budget."""
    timeout_s = timeout_ms / 1000 if timeout_ms > 0 else math.inf

    @event.listens_for(engine, "connect")
    def _watch(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        # [the next time to look closer, the query's time limit, the block's budget or None]
        deadline: list[Any] = [math.inf, math.inf, None]
        info = record.info
        info[_DEADLINE] = deadline

        def past_deadline() -> bool:
            now = time.monotonic()
            if now <= deadline[0]:
                return False
            budget: _Budget | None = deadline[2]
            if now <= deadline[1] and budget is not None and time.thread_time() <= budget.cpu_ends:
                # Past the budget by the clock only: the thread waited. Look again a little later.
                deadline[0] = min(deadline[1], now + budget.seconds / 4)
                return False
            info[_INTERRUPTED] = True
            return True

        dbapi_connection.set_progress_handler(past_deadline, PROGRESS_STEPS)

    @event.listens_for(engine, "checkout")
    def _replace_if_interrupted(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # The pool's documented way to swap a connection at checkout: it reconnects this record.
        if record.info.pop(_INTERRUPTED, False):
            raise DisconnectionError("a statement on this connection was interrupted")

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(connection: Connection, *_args: Any) -> None:
        # The deadline covers the statement and the fetching of its rows, until the next one starts.
        if (deadline := connection.info.get(_DEADLINE)) is not None:
            budget = _budget.get()
            limit = time.monotonic() + timeout_s
            deadline[0] = limit if budget is None else min(limit, budget.wall_ends)
            deadline[1] = limit
            deadline[2] = budget

    @event.listens_for(engine, "checkin")
    def _disarm(_dbapi_connection: Any, record: Any) -> None:
        if (deadline := record.info.get(_DEADLINE)) is not None:
            _unarm(deadline)


def _unarm(deadline: list[Any]) -> None:
    deadline[0] = deadline[1] = math.inf
    deadline[2] = None


def read_budget(seconds: float) -> AbstractContextManager[None]:
    """Every query started in this block stops once its thread has spent `seconds` of CPU time since the
    block began (time spent waiting for the GIL or a core does not count)."""
    return ContextVarBlock(_budget, _Budget(seconds))


def interrupted(error: OperationalError) -> bool:
    """True when SQLite stopped the query because a deadline passed."""
    return isinstance(error.orig, sqlite3.OperationalError) and "interrupted" in str(error.orig)


def stopped_a_statement(connection: Connection) -> bool:
    """True when the progress handler has stopped a statement on `connection` since it was opened."""
    return not connection.invalidated and bool(connection.info.get(_INTERRUPTED))


def disarm(connection: Connection) -> None:
    """No deadline on `connection` until its next statement (as when it goes back to the pool): a
    rollback after an interrupted statement must not be interrupted in turn."""
    if (deadline := connection.info.get(_DEADLINE)) is not None:
        _unarm(deadline)
