"""The `sectorfacts` command run as a real process: migrate, seed, reseed, refuse a bad file, downgrade."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.config import Settings
from app.db import Database, create_database
from app.services import migrations
from app.services.copying import table_dump
from app.services.tables import CLAIM
from tests.services.seedfiles import Raw, claim, original_raw, write_seed
from tests.system.support import run_sectorfacts


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'cli.db'}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    opened = create_database(Settings(database_url=database_url))
    yield opened
    opened.dispose()


def sectorfacts(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`sectorfacts ARGS` on `database_url`."""
    return run_sectorfacts(database_url, cwd, *args)


def _claim_count(database: Database) -> int:
    with database.read() as connection:
        count: int = connection.execute(select(func.count()).select_from(CLAIM)).scalar_one()
        return count


def test_migrate_then_seed_loads_everything_and_a_second_seed_changes_nothing(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    raw = original_raw()
    migrated = sectorfacts(database_url, tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert str(migrations.head_revision()) in migrated.stdout

    seeded = sectorfacts(database_url, tmp_path, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert f"claim inserted {len(raw['claims'])}" in seeded.stdout
    assert f"theme inserted {len(raw['themes'])}" in seeded.stdout
    assert f"entity inserted {len(raw['entities'])}" in seeded.stdout
    assert f"document inserted {len(raw['documents'])}" in seeded.stdout
    assert _claim_count(database) == len(raw["claims"])

    again = sectorfacts(database_url, tmp_path, "seed")
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert "inserted" not in again.stdout
    assert "updated" not in again.stdout
    assert _claim_count(database) == len(raw["claims"])


def test_seed_of_a_broken_file_exits_1_naming_the_problem_and_loads_nothing(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    first_id: str = original_raw()["claims"][0]["id"]

    def break_it(raw: Raw, _folder: Path) -> None:
        claim(raw, first_id)["themes"].append("no-such-theme")

    path = write_seed(tmp_path / "broken", break_it)
    refused = sectorfacts(database_url, tmp_path, "seed", str(path))
    assert refused.returncode == 1
    assert first_id in refused.stderr
    assert "no-such-theme" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _claim_count(database) == 0


def test_migrate_down_to_base_and_back_up(database_url: str, database: Database, tmp_path: Path) -> None:
    up = sectorfacts(database_url, tmp_path, "migrate")
    assert up.returncode == 0, up.stderr
    assert migrations.current_revision(database) == migrations.head_revision()

    down = sectorfacts(database_url, tmp_path, "migrate", "base", "--downgrade")
    assert down.returncode == 0, down.stderr
    assert "None" in down.stdout
    assert migrations.current_revision(database) is None

    up_again = sectorfacts(database_url, tmp_path, "migrate")
    assert up_again.returncode == 0, up_again.stderr
    assert migrations.current_revision(database) == migrations.head_revision()
    assert _claim_count(database) == 0


def test_rebuild_rewrites_every_claim_body_from_the_rows(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    assert sectorfacts(database_url, tmp_path, "seed").returncode == 0
    before = _bodies(database)
    with database.write() as connection:
        connection.execute(text("UPDATE claim_body SET body = '{}'"))
    rebuilt = sectorfacts(database_url, tmp_path, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {_claim_count(database)} claim bodies" in rebuilt.stdout
    assert _bodies(database) == before


def _bodies(database: Database) -> list[tuple[str, str]]:
    with database.read() as connection:
        return [
            (row[0], row[1])
            for row in connection.execute(text("SELECT claim_id, body FROM claim_body ORDER BY claim_id"))
        ]


def test_migrate_refuses_an_impossible_revision_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sectorfacts"), "migrate", "-1"],
        env={**os.environ, "SECTORFACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("sectorfacts: migrate refused:")
    assert "Traceback" not in result.stderr


def test_backup_then_restore_through_the_cli_reproduces_the_database(tmp_path: Path) -> None:
    command = str(Path(sys.executable).parent / "sectorfacts")
    live = {**os.environ, "SECTORFACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}"}
    fresh = {**os.environ, "SECTORFACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}"}
    subprocess.run([command, "seed"], env=live, check=True, capture_output=True)
    saved = subprocess.run(
        [command, "backup", str(tmp_path / "snap.db")], env=live, capture_output=True, text=True
    )
    assert saved.returncode == 0, saved.stderr
    again = subprocess.run(
        [command, "backup", str(tmp_path / "snap.db")], env=live, capture_output=True, text=True
    )
    assert again.returncode == 1
    assert "exists" in again.stderr
    restored = subprocess.run(
        [command, "restore", str(tmp_path / "snap.db")], env=fresh, capture_output=True, text=True
    )
    assert restored.returncode == 0, restored.stderr
    with _database(live) as original, _database(fresh) as copy:
        assert table_dump(copy) == table_dump(original)


@contextmanager
def _database(env: dict[str, str]) -> Iterator[Database]:
    database = create_database(Settings(database_url=env["SECTORFACTS_DATABASE_URL"]))
    try:
        yield database
    finally:
        database.dispose()
