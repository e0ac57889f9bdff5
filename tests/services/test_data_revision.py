"""The data revision (migration 0017) moves on at a write to any table an answer is computed from,
whatever path writes; other tables leave it be."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, select, update

from app.db import Database
from app.models import metadata
from app.services.tallies import data_revision
from seed.loader import load_seed

WATCHED = (
    "claim",
    "claim_theme",
    "claim_entity",
    "claim_relation",
    "theme",
    "entity",
    "entity_alias",
    "document",
    "search_entry",
    "claim_body",
)


@pytest.fixture
def seeded(migrated_database: Database) -> Database:
    load_seed(migrated_database)
    return migrated_database


def _revision(database: Database) -> int:
    with database.read() as connection:
        return data_revision(connection)


def _touch(database: Database, table: Table) -> int:
    """Rewrite one row of `table` as it is (a column set to itself); returns the rows touched."""
    key = list(table.primary_key.columns)
    column = next((column for column in table.columns if not column.primary_key), key[-1])
    with database.write_engine.begin() as connection:
        first = connection.execute(select(*key).order_by(*key).limit(1)).first()
        if first is None:
            return 0
        where = [column == value for column, value in zip(key, first, strict=True)]
        return connection.execute(update(table).where(*where).values({column.name: column})).rowcount


def test_loading_the_seed_moves_it_on(migrated_database: Database) -> None:
    assert _revision(migrated_database) == 0
    load_seed(migrated_database)
    assert _revision(migrated_database) > 0


@pytest.mark.parametrize("name", WATCHED)
def test_a_write_to_a_watched_table_moves_it_on(seeded: Database, name: str) -> None:
    before = _revision(seeded)
    assert _touch(seeded, metadata.tables[name]) == 1
    assert _revision(seeded) > before


def test_a_write_elsewhere_leaves_it(seeded: Database) -> None:
    before = _revision(seeded)
    assert _touch(seeded, metadata.tables["api_key"]) in {0, 1}
    assert _touch(seeded, metadata.tables["change"]) in {0, 1}
    assert _revision(seeded) == before
