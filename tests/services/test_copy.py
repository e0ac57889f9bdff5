"""`copy` moves a whole database between engines, and a round trip reproduces every table exactly."""

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.config import Settings
from app.db import Database, create_database
from app.services import migrations
from app.services.copying import CopyError, copy_database, table_dump
from app.services.tables import THEME
from tests.databases import fresh_database_url


def test_copy_round_trip_through_the_engine_under_test_reproduces_every_table(
    seeded_database: Database, tmp_path: Path
) -> None:
    original = table_dump(seeded_database)
    with fresh_database_url(tmp_path) as middle_url:
        middle = create_database(Settings(database_url=middle_url))
        back = create_database(Settings(database_url=f"sqlite:///{tmp_path / 'snapshot.db'}"))
        try:
            counts = copy_database(seeded_database, middle)
            copy_database(middle, back)
            assert counts == {table: len(rows) for table, rows in original.items()}
            assert table_dump(middle) == original
            assert table_dump(back) == original
        finally:
            middle.dispose()
            back.dispose()


def test_copy_refuses_a_target_that_is_not_empty(seeded_database: Database, tmp_path: Path) -> None:
    with fresh_database_url(tmp_path) as url:
        target = create_database(Settings(database_url=url))
        try:
            copy_database(seeded_database, target)
            before = table_dump(target)
            with pytest.raises(CopyError, match="not empty"):
                copy_database(seeded_database, target)
            assert table_dump(target) == before
        finally:
            target.dispose()


def test_copy_refuses_a_source_that_is_not_migrated(migrated_database: Database, tmp_path: Path) -> None:
    unmigrated = create_database(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        with pytest.raises(CopyError, match="not at revision"):
            copy_database(unmigrated, migrated_database)
    finally:
        unmigrated.dispose()


def test_copied_postgres_sequences_continue_after_the_copied_ids(
    seeded_database: Database, tmp_path: Path
) -> None:
    """New rows in the copy get fresh ids instead of colliding with copied ones."""
    with fresh_database_url(tmp_path) as url:
        target = create_database(Settings(database_url=url))
        try:
            copy_database(seeded_database, target)
            with target.write() as connection:
                connection.execute(
                    insert(THEME).values(
                        slug="new-theme", name="New", description="Added after the copy.", position=99
                    )
                )
            with target.read() as connection:
                ids = list(connection.execute(select(THEME.c.id)).scalars())
            assert len(ids) == len(set(ids))
            assert migrations.current_revision(target) == migrations.head_revision()
        finally:
            target.dispose()
