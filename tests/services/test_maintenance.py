"""`sectorfacts rebuild` rewrites whole tables in one transaction: on PostgreSQL its statements are not held
to SECTORFACTS_STATEMENT_TIMEOUT_MS, which bounds the statements of requests (at 1,000,000 claims the
rebuild's DELETE of every search entry outlasted the default 5 s)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db import create_database
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL's statement_timeout")

SLOW = text("SELECT pg_sleep(0.3)")


def test_a_maintenance_transaction_outlasts_the_statement_timeout_and_a_write_does_not(
    fresh_url: str,
) -> None:
    database = create_database(Settings(database_url=fresh_url, statement_timeout_ms=100))
    try:
        with pytest.raises(OperationalError, match="statement timeout"), database.write() as connection:
            connection.execute(SLOW)
        with database.maintenance() as connection:
            connection.execute(SLOW)
        # The limit is lifted for that transaction only.
        with pytest.raises(OperationalError, match="statement timeout"), database.write() as connection:
            connection.execute(SLOW)
    finally:
        database.dispose()
