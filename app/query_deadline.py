"""A time limit on every SQLite read query: a progress handler stops it past its deadline (as Datasette does).

PostgreSQL needs none of this: its connections set statement_timeout (app/db.py).
"""

from __future__ import annotations

import math
import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, event

# How many SQLite virtual machine steps run between two looks at the clock.
PROGRESS_STEPS = 1000
_DEADLINE = "sectorfacts_query_deadline"


def limit_query_time(engine: Engine, timeout_ms: int) -> None:
    """Stop any query on `engine` that runs longer than `timeout_ms` (an OperationalError: 503)."""
    if timeout_ms <= 0:
        return
    timeout_s = timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _watch(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        deadline = [math.inf]
        record.info[_DEADLINE] = deadline
        dbapi_connection.set_progress_handler(lambda: time.monotonic() > deadline[0], PROGRESS_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(connection: Connection, *_args: Any) -> None:
        # The deadline covers the statement and the fetching of its rows, until the next one starts.
        if (deadline := connection.info.get(_DEADLINE)) is not None:
            deadline[0] = time.monotonic() + timeout_s

    @event.listens_for(engine, "checkin")
    def _disarm(_dbapi_connection: Any, record: Any) -> None:
        if (deadline := record.info.get(_DEADLINE)) is not None:
            deadline[0] = math.inf
