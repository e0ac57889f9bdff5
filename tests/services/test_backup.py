"""Online backup while writes go on, and restoring the snapshot into an empty database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.config import Settings
from app.db import Database, create_database
from app.services.backup import BackupError, backup, restore
from app.services.copying import table_dump
from app.services.tables import THEME
from seed.loader import load_seed
from tests.databases import fresh_database_url


def _write_themes(database: Database, stop: threading.Event, written: list[int]) -> None:
    number = 0
    while not stop.is_set() and number < 2000:
        with database.write() as connection:
            connection.execute(
                insert(THEME).values(
                    slug=f"during-backup-{number}",
                    name=f"T{number}",
                    description="Written during a backup.",
                    position=1000 + number,
                )
            )
        written.append(number)
        number += 1


def test_backup_during_writes_is_consistent_and_restores_exactly(
    migrated_database: Database, tmp_path: Path
) -> None:
    load_seed(migrated_database)
    stop = threading.Event()
    written: list[int] = []
    writer = threading.Thread(target=_write_themes, args=(migrated_database, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        backup(migrated_database, tmp_path / "snapshot.db")
    finally:
        stop.set()
        writer.join()
    snapshot = create_database(Settings(database_url=f"sqlite:///{tmp_path / 'snapshot.db'}"))
    try:
        with snapshot.read() as connection:
            slugs = set(
                connection.execute(select(THEME.c.slug).where(THEME.c.slug.like("during-backup-%"))).scalars()
            )
        numbers = sorted(int(slug.rsplit("-", 1)[1]) for slug in slugs)
        # Consistent: the snapshot holds exactly the writes committed before some instant, no gaps.
        assert numbers == list(range(len(numbers)))
        assert len(numbers) >= 20
        with fresh_database_url(tmp_path / "restore") as url:
            restored = create_database(Settings(database_url=url))
            try:
                restore(tmp_path / "snapshot.db", restored)
                assert table_dump(restored) == table_dump(snapshot)
            finally:
                restored.dispose()
    finally:
        snapshot.dispose()


def test_backup_refuses_to_overwrite_a_file(seeded_database: Database, tmp_path: Path) -> None:
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists"):
        backup(seeded_database, existing)
    assert existing.read_bytes() == b"keep me"


def test_restore_refuses_a_database_that_is_not_empty(seeded_database: Database, tmp_path: Path) -> None:
    backup(seeded_database, tmp_path / "snapshot.db")
    before = table_dump(seeded_database)
    with pytest.raises(BackupError, match="not empty"):
        restore(tmp_path / "snapshot.db", seeded_database)
    assert table_dump(seeded_database) == before


def test_restore_refuses_a_missing_snapshot(migrated_database: Database, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not a file"):
        restore(tmp_path / "missing.db", migrated_database)
