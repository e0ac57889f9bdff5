"""PostgreSQL read connections: autocommit (no transaction round trips), generic plans (no planning per
execution), and a connection the server closed is replaced before a read gets it, without a ping."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from app.config import Settings
from app.db import Database, create_database
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL connections")


def test_reads_run_outside_a_transaction(migrated_database: Database) -> None:
    """A read runs its statements in autocommit: nothing to BEGIN, nothing to roll back."""
    with migrated_database.read() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        assert raw.autocommit is True
        assert connection.execute(text("SELECT count(*) FROM claim")).scalar_one() == 0
        assert raw.pgconn.transaction_status == 0  # IDLE: no transaction left open by the statement
    with migrated_database.write() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        assert raw.autocommit is False  # writes keep their transaction


def test_reads_keep_one_plan_per_statement_and_start_no_parallel_workers(migrated_database: Database) -> None:
    """A read connection plans each prepared statement once, generically, and never for parallel workers
    (a generic plan does not know a page's LIMIT); writes keep PostgreSQL's defaults. (Reads on the event
    loop: tests/services/test_awaiting_reads.py.)"""
    shown = text(
        "SELECT current_setting('plan_cache_mode'), current_setting('max_parallel_workers_per_gather')"
    )
    with migrated_database.read() as connection:
        assert tuple(connection.execute(shown).one()) == ("force_generic_plan", "0")
    server_defaults = create_engine(migrated_database.write_engine.url)
    try:
        with server_defaults.connect() as connection:
            defaults = tuple(connection.execute(shown).one())
    finally:
        server_defaults.dispose()
    with migrated_database.write() as connection:
        assert tuple(connection.execute(shown).one()) == defaults


def _terminate(database: Database, pid: int) -> None:
    """Terminate the backend `pid` and wait until it is gone (the termination reaches its socket
    asynchronously)."""
    with database.write() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with database.write() as connection:
            gone = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
        if not gone:
            break
        time.sleep(0.05)
    time.sleep(0.05)


def test_a_connection_the_server_closed_is_replaced(migrated_database: Database) -> None:
    """A pooled read connection whose backend was terminated is dropped at checkout; the read succeeds."""
    with migrated_database.read() as connection:
        killed = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    _terminate(migrated_database, killed)
    with migrated_database.read() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != killed
        assert connection.execute(text("SELECT count(*) FROM claim")).scalar_one() == 0


@pytest.mark.parametrize(("pool_size", "writes"), [(1, 1), (5, 1), (8, 2), (40, 10)])
def test_writes_keep_a_quarter_of_the_reads_connections(fresh_url: str, pool_size: int, writes: int) -> None:
    """Each worker's connections: the read pool's size (plus as many overflow), a quarter of it for writes."""
    database = create_database(Settings(database_url=fresh_url, pool_size=pool_size))
    try:
        assert database.read_engine.pool.size() == pool_size  # type: ignore[attr-defined]
        assert database.write_engine.pool.size() == writes  # type: ignore[attr-defined]
        assert database.read_engine is not database.write_engine
    finally:
        database.dispose()
