"""The search index follows the data on every path that changes it, and agrees across engines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.config import Settings
from app.db import Database, create_database
from app.main import create_app
from app.services import migrations
from app.services.search import index as search_index
from app.services.tables import CLAIM, ENTITY, SEARCH_ENTRY, THEME
from seed.loader import load_seed
from tests.databases import POSTGRES_ENV
from tests.services.seedfiles import Raw, claim, write_seed


def _search_ids(database: Database, q: str) -> set[str]:
    url = database.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url))) as client:
        body = client.get("/v1/search", params={"q": q, "limit": 100}).json()
    return {hit["id"] for hit in body["data"]}


def test_seed_indexes_every_claim_entity_and_theme(seeded_database: Database) -> None:
    with seeded_database.read() as connection:
        indexed = connection.execute(select(func.count()).select_from(SEARCH_ENTRY)).scalar_one()
        expected = sum(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (CLAIM, ENTITY, THEME)
        )
    with seeded_database.write() as connection:
        search_index.check(connection)
    assert indexed == expected


def test_reseeding_a_changed_statement_reindexes_it(migrated_database: Database, tmp_path: Path) -> None:
    load_seed(migrated_database)
    assert "pkit-001" not in _search_ids(migrated_database, "zanzibar")

    def rename(raw: Raw, _folder: Path) -> None:
        claim(raw, "pkit-001")["statement"] = "Pakistan is described as a Zanzibar-like hub for IT."

    load_seed(migrated_database, write_seed(tmp_path / "edited", rename))
    assert _search_ids(migrated_database, "zanzibar") == {"pkit-001"}
    with migrated_database.write() as connection:
        search_index.check(connection)


def test_migrating_down_and_up_rebuilds_the_index_from_the_data(migrated_database: Database) -> None:
    load_seed(migrated_database)
    before = _search_ids(migrated_database, "freelancing OR diaspora")
    migrations.downgrade(migrated_database, "0001")
    migrations.upgrade(migrated_database)
    assert _search_ids(migrated_database, "freelancing OR diaspora") == before
    assert before


def _entries(database: Database) -> set[tuple[str, ...]]:
    columns = [c for c in SEARCH_ENTRY.c if c.name != "id"]
    with database.read() as connection:
        return {tuple(row) for row in connection.execute(select(*columns))}


def test_migration_0002_indexes_as_the_service_does(migrated_database: Database) -> None:
    """Migration 0002 holds a frozen copy of the analysis: today it must still agree with the service."""
    load_seed(migrated_database)
    migrations.downgrade(migrated_database, "0001")
    migrations.upgrade(migrated_database, "0002")
    by_migration = _entries(migrated_database)
    with migrated_database.write() as connection:
        search_index.rebuild(connection)
    assert by_migration == _entries(migrated_database)
    assert len(by_migration) > 50


PARITY_QUERIES = [
    "freelancers",
    "Pakistan's diaspora",
    "Pakistan\u2019s",
    '"brain gain"',
    "fin*",
    "startup",
    "careem OR daraz",
    "careem -invest*",
    "(government OR policy) AND incentiv*",
    "e-commerce",
    "TECH",
    "f\u00edntech",
    '"unbalanced',
]


@pytest.fixture(scope="module")
def sqlite_reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A seeded SQLite database to compare the engine under test with."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    database = create_database(Settings(database_url=url))
    migrations.upgrade(database)
    load_seed(database)
    database.dispose()
    with TestClient(create_app(Settings(database_url=url))) as reference:
        yield reference


@pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason="compares PostgreSQL with SQLite: PostgreSQL run only"
)
@pytest.mark.parametrize("q", PARITY_QUERIES)
def test_same_query_gives_the_same_hits_on_postgres_and_sqlite(
    client: TestClient, sqlite_reference: TestClient, q: str
) -> None:
    def hits(on: TestClient) -> set[tuple[str, str, str]]:
        body = on.get("/v1/search", params={"q": q, "limit": 100}).json()
        return {(hit["type"], hit["id"], hit["snippet"]) for hit in body["data"]}

    assert hits(client) == hits(sqlite_reference)
    assert (
        client.get("/v1/claims", params={"q": q, "limit": 100}).json()["meta"]["total"]
        == (sqlite_reference.get("/v1/claims", params={"q": q, "limit": 100}).json()["meta"]["total"])
    )
