"""Time limits on SQLite read queries: a progress handler stops a query past its deadline (as Datasette does).

Two limits share the handler: `query_timeout_ms` on every statement (an OperationalError: 503), and the
inline budget of `read_budget`, which bounds how long a read run on the event loop may hold it.
PostgreSQL needs none of this: its connections set statement_timeout (app/db.py).

A connection on which the handler stopped a statement is replaced before its next use. Python's sqlite3
(3.11) keeps a statement stopped while its rows were being read marked as in use in the connection's
statement cache, because `sqlite3_reset` then returns the interruption's error; every later run of the
same SQL on that connection compiles it afresh. One stopped list page at 100,000 claims made every later
page on the kept inline connection about twice as slow (`python3 bench/interrupted_statements.py`).
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError, OperationalError

# How many SQLite virtual machine steps run between two looks at the clock.
PROGRESS_STEPS = 1000
_DEADLINE = "sectorfacts_query_deadline"
# Set in a connection's info once the progress handler has stopped a statement on it.
_INTERRUPTED = "sectorfacts_interrupted"
# The monotonic time by which the reads of the current block must be done (None: no budget).
_budget_ends: ContextVar[float | None] = ContextVar("sectorfacts_read_budget_ends", default=None)


def limit_query_time(engine: Engine, timeout_ms: int) -> None:
    """Stop any query on `engine` that runs longer than `timeout_ms` (0: no limit) or past a read budget."""
    timeout_s = timeout_ms / 1000 if timeout_ms > 0 else math.inf

    @event.listens_for(engine, "connect")
    def _watch(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        deadline = [math.inf]
        info = record.info
        info[_DEADLINE] = deadline

        def past_deadline() -> bool:
            if time.monotonic() > deadline[0]:
                info[_INTERRUPTED] = True
                return True
            return False

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
            ends = _budget_ends.get()
            limit = time.monotonic() + timeout_s
            deadline[0] = limit if ends is None else min(limit, ends)

    @event.listens_for(engine, "checkin")
    def _disarm(_dbapi_connection: Any, record: Any) -> None:
        if (deadline := record.info.get(_DEADLINE)) is not None:
            deadline[0] = math.inf


@contextmanager
def read_budget(seconds: float) -> Iterator[None]:
    """Every query started in this block stops once `seconds` have passed since the block began."""
    token = _budget_ends.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _budget_ends.reset(token)


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
        deadline[0] = math.inf
