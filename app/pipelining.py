"""PostgreSQL: a write's statements whose answers it never reads, sent without waiting for each answer.

In psycopg's pipeline mode a statement is sent and the next follows at once; the server's answers are read
at the next sync. Inside `pipelined`, a statement run with the execution options `UNREAD` (nothing of its
answer is looked at: no rows, no row count) waits in the pipeline, and every other statement is synced as
soon as it is sent, so SQLAlchemy reads its answer exactly as outside a pipeline. The unread statements of
a claim write (its links, stored body, change log entry and search entry) and the table lock that begins it
so travel with the next statement that is read, instead of one round trip each.

A failure of an unread statement is raised at that next sync (or at the end of the block), wrapped as
SQLAlchemy wraps any DBAPI error; the transaction is rolled back either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

# The execution options of a statement whose answer is never read.
UNREAD: dict[str, Any] = {"sectorfacts_unread": True}
# Where the open pipeline of a connection is kept while `pipelined` runs (Connection.info).
_PIPELINE = "sectorfacts_pipeline"


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """The block's statements in a psycopg pipeline on PostgreSQL (elsewhere, the block as it is)."""
    if connection.dialect.driver != "psycopg":  # psycopg, an optional dependency, is the one with pipelines
        yield
        return
    import psycopg  # present: the connection is psycopg's

    driver: Any = connection.connection.driver_connection
    try:
        # Leaving the pipeline syncs it: what waits there is sent, and every answer read.
        with driver.pipeline() as pipeline:
            connection.info[_PIPELINE] = pipeline
            try:
                yield
            finally:
                del connection.info[_PIPELINE]
    except psycopg.Error as error:  # an unread statement failed: raised at that last sync
        # Wrapped (and a lost connection invalidated) as Connection.execute does.
        connection._handle_dbapi_exception(error, "(pipeline sync)", {}, None, None)
        raise


def answer_arrived(connection: Connection, cursor: Any) -> None:
    """Inside a pipeline, sync it unless the answer of the statement `cursor` ran has arrived already (a
    read sent before another: one sync brought both answers). Outside one, nothing to do."""
    pipeline = connection.info.get(_PIPELINE)
    if pipeline is not None and cursor.pgresult is None:
        pipeline.sync()


def answer_read_statements(engine: Engine) -> None:
    """Sync each statement not run with `UNREAD` right after it is sent, inside a pipeline: SQLAlchemy
    reads a statement's rows, columns and row count as soon as it has run."""

    @event.listens_for(engine, "after_cursor_execute")
    def _answer(
        connection: Connection,
        _cursor: Any,
        _statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        pipeline = connection.info.get(_PIPELINE)
        if pipeline is None:
            return
        options = getattr(context, "execution_options", None) or {}
        if not options.get("sectorfacts_unread"):
            pipeline.sync()
