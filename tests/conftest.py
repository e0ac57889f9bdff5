"""Two tiers of test databases: one migrated, seeded database per session for reads; a fresh one per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.config import Settings
from app.db import Database, create_database
from app.main import create_app
from app.services import migrations
from seed.loader import load_seed
from tests.databases import fresh_database_url


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database migrated to head and loaded with the seed annotations, shared by read-only tests."""
    with fresh_database_url(tmp_path_factory.mktemp("seeded")) as url:
        database = create_database(Settings(database_url=url))
        migrations.upgrade(database)
        load_seed(database)
        database.dispose()
        yield url


@pytest.fixture(scope="session")
def seeded_database(seeded_url: str) -> Iterator[Database]:
    """The shared seeded database (read it; never write to it)."""
    database = create_database(Settings(database_url=seeded_url))
    yield database
    database.dispose()


# The address README.md's examples are served from: answers with absolute links (permalinks) match them.
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def client(seeded_url: str) -> Iterator[TestClient]:
    """An HTTP client for an app serving the shared seeded database, at the README's address.

    Reads get a generous inline budget so that none is run twice (over budget, then in the pool) on a
    busy machine: tests that count statements must not depend on its speed. tests/api/test_reading.py
    covers the budget itself.
    """
    settings = Settings(database_url=seeded_url, inline_read_budget_ms=1000)
    with TestClient(create_app(settings), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """URL of a new empty database for this test alone."""
    with fresh_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def fresh_database(fresh_url: str) -> Iterator[Database]:
    """A new, empty (unmigrated) database for this test alone."""
    database = create_database(Settings(database_url=fresh_url))
    yield database
    database.dispose()


@pytest.fixture
def migrated_database(fresh_database: Database) -> Database:
    """A new database migrated to head, with no data."""
    migrations.upgrade(fresh_database)
    return fresh_database


class StatementLog:
    """SQL statements a database ran while it was being watched."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "ROLLBACK", "COMMIT")):
            self.statements.append(statement)


@contextmanager
def statements_on(*engines: Engine) -> Iterator[StatementLog]:
    """Records every query the `engines` run inside the block."""
    log = StatementLog()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log)


@pytest.fixture
def statement_log(client: TestClient) -> Iterator[StatementLog]:
    """Records every query the `client` app's reads run during the test."""
    database: Database = client.app.state.database  # type: ignore[attr-defined]
    with statements_on(*database.read_engines) as log:
        yield log
