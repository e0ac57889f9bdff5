"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database under SECTORFACTS_TEST_POSTGRES_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

POSTGRES_ENV = "SECTORFACTS_TEST_POSTGRES_URL"


def engine_under_test() -> str:
    """'postgresql' when the suite runs against PostgreSQL, else 'sqlite'."""
    return "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"


@contextmanager
def fresh_database_url(folder: Path) -> Iterator[str]:
    """A URL to a new, empty database that no other test or run can see; dropped afterwards."""
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url:
        yield f"sqlite:///{folder / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"sectorfacts_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
