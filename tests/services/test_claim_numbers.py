"""Server-chosen claim ids come from `claim_number` (migration 0018): they continue after every id the
prefix has had, live or deleted, whichever path inserted it, and concurrent creators never share one."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.config import Settings
from app.db import Database, create_database
from app.schemas.writes import ClaimCreate
from app.services import migrations
from app.services.copying import copy_database
from app.services.tables import CLAIM_NUMBER
from app.services.writes.claim_ids import refresh_claim_numbers
from app.services.writes.claims import create_claim, delete_claim
from app.services.writes.transaction import Actor
from tests.databases import fresh_database_url

ACTOR = Actor(key_id=None, key_name="cli:test")
TEXT = "Exports grew. Imports fell. Prices rose."
ROWS = [
    "INSERT INTO document (id, title, text, sha256) VALUES ('trade', 'Trade', '" + TEXT + "', 'abc')",
    "INSERT INTO document (id, title, text, sha256) VALUES ('other', 'Other', '" + TEXT + "', 'abc')",
    "INSERT INTO theme (slug, name, description, position) VALUES ('t', 'T', 'A theme.', 0)",
]


def _claim(number: int, document: str = "trade", quote: str = "Exports grew") -> str:
    start = TEXT.index(quote)
    return (
        "INSERT INTO claim (id, document_id, statement, quote, span_start, span_end, kind) "
        f"VALUES ('trd-{number:03d}', '{document}', 'S.', '{quote}', {start}, {start + len(quote)}, 'fact')"
    )


def _body(document: str = "trade", quote: str = "Imports fell") -> ClaimCreate:
    return ClaimCreate(document=document, statement="A statement.", quote=quote, kind="fact", themes=["t"])


def _numbers(database: Database) -> list[tuple[str, int, int]]:
    with database.read() as connection:
        return [
            tuple(row) for row in connection.execute(select(CLAIM_NUMBER).order_by(CLAIM_NUMBER.c.prefix))
        ]


def _fill(database: Database, statements: list[str]) -> None:
    with database.write() as connection:
        for statement in statements:
            connection.execute(text(statement))


@pytest.fixture
def trade(migrated_database: Database) -> Database:
    """A database whose document `trade` holds claims trd-001 and trd-007, inserted by plain SQL."""
    _fill(migrated_database, [*ROWS, _claim(1), _claim(7)])
    return migrated_database


def _create(database: Database, document: str = "trade") -> str:
    return create_claim(database, ACTOR, _body(document)).public.id


def test_ids_continue_after_the_highest_number_inserted_by_any_path(trade: Database) -> None:
    assert _numbers(trade) == [("trd", 7, 3)]
    assert _create(trade) == "trd-008"
    # An explicit id (ingest's) moves the counter past it, zero-padding and all.
    create_claim(trade, ACTOR, _body(), claim_id="trd-0040")
    assert _numbers(trade) == [("trd", 40, 4)]
    assert _create(trade) == "trd-0041"
    # A document of another prefix's claims takes that prefix's numbers too: one counter per prefix.
    _fill(trade, [_claim(50, document="other")])
    assert _create(trade, "other") == "trd-0051"


def test_a_deleted_claims_id_is_never_given_again(trade: Database) -> None:
    first = _create(trade)
    delete_claim(trade, ACTOR, first, "*")
    assert _create(trade) == "trd-009"
    # Rebuilt from the data alone, the counter still counts the deleted id (the change log keeps it).
    with trade.write() as connection:
        refresh_claim_numbers(connection)
    assert _numbers(trade) == [("trd", 9, 3)]


def test_a_document_without_numbered_claims_starts_its_own_prefix(migrated_database: Database) -> None:
    _fill(migrated_database, ROWS)
    assert _create(migrated_database) == "trade-001"
    assert _create(migrated_database) == "trade-002"
    assert _numbers(migrated_database) == [("trade", 2, 3)]


def test_sixteen_concurrent_creators_get_sixteen_distinct_ids(trade: Database) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda _: _create(trade), range(16)))
    assert sorted(ids) == [f"trd-{number:03d}" for number in range(8, 24)]
    assert _numbers(trade) == [("trd", 23, 3)]


@pytest.fixture
def second_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(tmp_path) as url:
        yield url


def test_a_copy_counts_the_deleted_ids_of_its_change_log(
    trade: Database, tmp_path: Path, second_url: str
) -> None:
    delete_claim(trade, ACTOR, _create(trade), "*")
    # Into the engine under test (by COPY on PostgreSQL) and into SQLite (row by row).
    for url in (second_url, f"sqlite:///{tmp_path / 'copy.db'}"):
        target = create_database(Settings(database_url=url))
        try:
            copy_database(trade, target)
            assert _numbers(target) == [("trd", 8, 3)]
            assert _create(target) == "trd-009"
        finally:
            target.dispose()


def test_the_migration_counts_the_claims_and_the_deleted_ones(fresh_database: Database) -> None:
    migrations.upgrade(fresh_database, "0017")
    logged = (
        "INSERT INTO change (at, key_name, resource_type, resource_id, claim_id, action) "
        "VALUES ('2026-01-01 00:00:00', 'k', 'claim', '{}', '{}', 'delete')"
    )
    _fill(
        fresh_database,
        [
            *ROWS,
            _claim(1),
            _claim(12, document="other"),
            logged.format("trd-030", "trd-030"),
            logged.format("gone-0005", "gone-0005"),
            logged.format("not numbered", "not numbered"),
        ],
    )
    migrations.upgrade(fresh_database)
    assert _numbers(fresh_database) == [("gone", 5, 4), ("trd", 30, 3)]
    assert _create(fresh_database) == "trd-031"
    migrations.downgrade(fresh_database, "0017")
    migrations.upgrade(fresh_database)
    assert _numbers(fresh_database) == [("gone", 5, 4), ("trd", 31, 3)]
