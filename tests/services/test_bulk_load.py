"""Bulk loading into PostgreSQL (rows by COPY; derived tables, keys and indexes built after them) ends
where a row-by-row load ends: the same rows, the same derived tables, the same schema, triggers on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Select, Table, insert, select, text

from app.cli import main
from app.config import Settings
from app.db import Database, create_database
from app.services import bulk_load, migrations
from app.services.bulk_load import deferred_upkeep
from app.services.claim_bodies import body_json, claims_with_revisions
from app.services.copying import copy_database, first_difference, table_dump
from app.services.search import index as search_index
from app.services.tables import (
    CLAIM,
    CLAIM_BODY,
    CLAIM_BY_ENTITY,
    CLAIM_BY_THEME,
    CLAIM_PAIR,
    CLAIM_TALLY,
    CLAIM_THEME,
    SEARCH_TALLY,
    SEARCH_TERM,
    THEME,
)
from app.services.tallies import data_revision
from bench.corpus import Corpus
from bench.load import fill
from seed.loader import load_seed
from tests.databases import POSTGRES_ENV, fresh_database_url

pytestmark = pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason="PostgreSQL's bulk load")

# The search postings too, but search_posting itself: it names entries by id, which a rebuild renumbers
# (each engine's `search_index.check` derives them again from the entries instead).
DERIVED = (CLAIM_TALLY, CLAIM_PAIR, CLAIM_BY_THEME, CLAIM_BY_ENTITY, CLAIM_BODY, SEARCH_TERM, SEARCH_TALLY)
# What a migrated schema holds besides rows: keys, foreign keys, indexes, and whether each trigger is on.
SCHEMA = (
    "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace UNION ALL "
    "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION ALL "
    "SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger "
    "WHERE NOT tgisinternal"
)


def _rows(database: Database, table: Table) -> list[tuple[Any, ...]]:
    with database.read() as connection:
        ordered = select(table).order_by(*table.primary_key.columns)
        return [tuple(row) for row in connection.execute(ordered)]


def _derived(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table.name: _rows(database, table) for table in DERIVED}


def _by_content(dump: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    """A dump with the search entries compared without their ids: the index rebuild numbers them in the
    order a scan of the claims returns them, which no statement fixes."""
    entries = sorted(row[1:] for row in dump["search_entry"])
    return {**dump, "search_entry": entries}


def _schema_on(connection: Connection) -> set[str]:
    return set(connection.execute(text(SCHEMA)).scalars())


def _schema(database: Database) -> set[str]:
    with database.read() as connection:
        return _schema_on(connection)


def _theme_tally(theme_id: int) -> Select[Any]:
    return select(CLAIM_TALLY.c.claims).where(
        CLAIM_TALLY.c.dimension == "theme", CLAIM_TALLY.c.value == str(theme_id)
    )


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The seed loaded row by row into SQLite, its derived tables kept by its triggers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bulk') / 'seed.db'}"
    database = create_database(Settings(database_url=url))
    migrations.upgrade(database)
    load_seed(database)
    yield database
    database.dispose()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Database]:
    """A new, empty PostgreSQL database."""
    with fresh_database_url(tmp_path) as url:
        database = create_database(Settings(database_url=url))
        yield database
        database.dispose()


def test_a_copy_of_the_seed_into_postgres_has_the_derived_tables_its_triggers_would_have_built(
    seeded_sqlite: Database, seeded_database: Database, target: Database
) -> None:
    lines: list[str] = []
    counts = copy_database(seeded_sqlite, target, report=lines.append)
    assert counts["claim"] == len(table_dump(seeded_sqlite)["claim"]) > 0
    assert first_difference(seeded_sqlite, target) is None
    assert table_dump(target) == table_dump(seeded_sqlite)
    derived = _derived(target)
    assert all(derived.values())
    assert derived == _derived(seeded_sqlite)
    # The seed loaded row by row into PostgreSQL, its triggers at work: the same derived rows.
    assert derived == _derived(seeded_database)
    assert any(line.startswith("claim: ") and "rows/s" in line for line in lines)
    assert any(line.startswith("claim bodies: ") for line in lines)


def test_claim_bodies_built_in_worker_processes_are_those_built_here(
    seeded_sqlite: Database, target: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, and workers from the first claim: many batches in flight, written in claim order.
    monkeypatch.setattr(bulk_load, "BODY_BATCH", 7)
    monkeypatch.setattr(bulk_load, "POOL_FROM", 1)
    copy_database(seeded_sqlite, target)
    assert _rows(target, CLAIM_BODY) == _rows(seeded_sqlite, CLAIM_BODY)
    with target.read() as connection:
        ids = list(connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id)).scalars())
        built = {claim.id: body_json(claim) for claim, _ in claims_with_revisions(connection, ids)}
    assert dict(_rows(target, CLAIM_BODY)) == built


def test_after_a_bulk_load_the_schema_is_whole_and_its_triggers_keep_the_derived_tables(
    seeded_sqlite: Database, target: Database, tmp_path: Path
) -> None:
    copy_database(seeded_sqlite, target)
    with fresh_database_url(tmp_path) as url:
        fresh = create_database(Settings(database_url=url))
        try:
            migrations.upgrade(fresh)
            assert _schema(target) == _schema(fresh)
        finally:
            fresh.dispose()
    with target.read() as connection:
        claim_id = connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id).limit(1)).scalar_one()
        linked = set(
            connection.execute(
                select(CLAIM_THEME.c.theme_id).where(CLAIM_THEME.c.claim_id == claim_id)
            ).scalars()
        )
        theme_id = connection.execute(
            select(THEME.c.id).where(THEME.c.id.not_in(linked)).limit(1)
        ).scalar_one()
        before = connection.execute(_theme_tally(theme_id)).scalar()
    with target.write() as connection:
        connection.execute(insert(CLAIM_THEME).values(claim_id=claim_id, theme_id=theme_id))
    with target.read() as connection:
        after = connection.execute(_theme_tally(theme_id)).scalar()
        ordered = connection.execute(
            select(CLAIM_BY_THEME.c.claim_id).where(CLAIM_BY_THEME.c.theme_id == theme_id)
        ).scalars()
        assert claim_id in set(ordered)
    assert after == (before or 0) + 1


def test_a_bulk_load_moves_the_data_revision_on(seeded_sqlite: Database, target: Database) -> None:
    """Its triggers are off during the load: the revision moves once after it, so no process keeps
    serving an answer it kept of the empty database (app/answer_cache.py)."""
    migrations.upgrade(target)
    with target.read() as connection:
        before = data_revision(connection)
    copy_database(seeded_sqlite, target)
    with target.read() as connection:
        assert data_revision(connection) > before


def test_a_failed_bulk_load_leaves_the_schema_as_it_was(target: Database) -> None:
    migrations.upgrade(target)
    before = _schema(target)
    during: list[set[str]] = []

    def load_and_fail() -> None:
        with target.write() as connection, deferred_upkeep(connection, lambda _: None):
            during.append(_schema_on(connection))
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        load_and_fail()
    assert during[0] != before
    assert _schema(target) == before


def test_a_generated_corpus_loads_the_same_by_copy_and_by_bench_fill(
    target: Database, tmp_path: Path
) -> None:
    """A synthetic corpus filled row by row into SQLite, copied to PostgreSQL, and filled straight into
    PostgreSQL by COPY: every table and every derived table the same three times."""
    corpus = Corpus(1500)
    source = create_database(Settings(database_url=f"sqlite:///{tmp_path / 'corpus.db'}"))
    try:
        fill(source, corpus)
        copy_database(source, target)
        assert first_difference(source, target) is None
        assert table_dump(target) == table_dump(source)
        assert _derived(target) == _derived(source)
        with target.write() as connection:
            search_index.check(connection)
        with fresh_database_url(tmp_path) as url:
            filled = create_database(Settings(database_url=url))
            try:
                fill(filled, corpus)
                assert _by_content(table_dump(filled)) == _by_content(table_dump(source))
                assert _derived(filled) == _derived(source)
                with filled.write() as connection:
                    search_index.check(connection)
            finally:
                filled.dispose()
    finally:
        source.dispose()


def test_the_copy_command_shows_each_table_s_rate_and_each_step(
    seeded_sqlite: Database, target: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = seeded_sqlite.url.render_as_string(hide_password=False)
    target_url = target.url.render_as_string(hide_password=False)
    assert main(["copy", "--from", source_url, "--to", target_url]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("sectorfacts: copied and verified every table (")
    lines = printed.err.splitlines()
    assert any(line.startswith("sectorfacts: claim: ") and line.endswith("rows/s)") for line in lines)
    for step in ("derived tables", "keys and indexes", "foreign keys checked", "claim bodies", "verified"):
        assert any(line.startswith(f"sectorfacts: {step}") for line in lines), step
    assert first_difference(seeded_sqlite, target) is None
