"""PostgreSQL: a write's statements whose answers it never reads, sent without waiting for each answer.

In psycopg's pipeline mode a statement is sent and the next follows at once; the server's answers are read
at the next sync. Inside `pipelined`, a statement run with the execution options `UNREAD` (nothing of its
answer is looked at: no rows, no row count) waits in the pipeline, and every other statement is synced as
soon as it is sent, so SQLAlchemy reads its answer exactly as outside a pipeline. Reads sent with
`Prepared.sent` wait too, until one of them is read. So a claim create waits for the server three times:
BEGIN, the writers' lock and every read it needs; the claim number's update; the claim, its links, stored
body, change log entry, search entry and COMMIT. Outside a pipeline it waited fourteen times.

A failure of an unread statement is raised at that next sync (or at the end of the block), wrapped as
SQLAlchemy wraps any DBAPI error; the transaction is rolled back either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, text

# The execution options of a statement whose answer is never read.
_UNREAD_OPTION = "sectorfacts_unread"
UNREAD: dict[str, Any] = {_UNREAD_OPTION: True}
# Where the open pipeline of a connection is kept while `pipelined` runs (Connection.info).
_PIPELINE = "sectorfacts_pipeline"
_BEGIN = text("BEGIN").execution_options(**UNREAD)
_COMMIT = text("COMMIT").execution_options(**UNREAD)
# psycopg.pq.TransactionStatus.IDLE: connected, outside a transaction.
_IDLE = 0


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """The block's statements in a psycopg pipeline on PostgreSQL (elsewhere, the block as it is), in one
    transaction: committed when the block ends, rolled back if it raises.

    BEGIN and COMMIT are sent as statements of the block (the connection in autocommit meanwhile), so they
    travel with the others: psycopg syncs its own BEGIN at once, and a COMMIT after the pipeline would be
    a round trip of its own. A connection the block leaves in doubt is invalidated, never lent again."""
    if connection.dialect.driver != "psycopg":  # psycopg, an optional dependency, is the one with pipelines
        yield
        return
    import psycopg  # present: the connection is psycopg's

    driver: Any = connection.connection.driver_connection
    driver.autocommit = True
    try:
        # Leaving the pipeline syncs it: what waits there is sent, and every answer read.
        with driver.pipeline() as pipeline:
            connection.info[_PIPELINE] = pipeline
            try:
                connection.execute(_BEGIN)
                yield
                if driver.pgconn.transaction_status != _IDLE:  # the block did not roll it back itself
                    connection.execute(_COMMIT)
            finally:
                del connection.info[_PIPELINE]
    except psycopg.Error as error:  # an unread statement (or COMMIT) failed: raised at that last sync
        # Wrapped (and a lost connection invalidated) as Connection.execute does.
        connection._handle_dbapi_exception(error, "(pipeline sync)", {}, None, None)
        raise
    finally:
        _close_transaction(connection, driver)


def _close_transaction(connection: Connection, driver: Any) -> None:
    """Roll back what the block left open (it raised) and give the connection its transactions back;
    invalidate it when that fails, so the pool never lends a connection in autocommit."""
    try:
        if driver.pgconn.transaction_status != _IDLE:
            driver.rollback()
        driver.autocommit = False
    except Exception:  # a broken connection: whatever went wrong is raised by the block already
        connection.invalidate()


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
        if not options.get(_UNREAD_OPTION):
            pipeline.sync()
