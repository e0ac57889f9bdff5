"""Migrations round-trip and match the models; SQLite runs with the pragmas and locking it needs."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.config import Settings
from app.db import WRITE_CACHE_KIB, Database, create_database
from app.models import exists_on, metadata
from app.services import claims, migrations
from app.services.annotations import read_annotations
from app.services.claim_filters import ClaimFilters
from app.services.tables import CLAIM_THEME, THEME
from seed.loader import DEFAULT_ANNOTATIONS
from tests.databases import engine_under_test

sqlite_only = pytest.mark.skipif(engine_under_test() != "sqlite", reason="SQLite behaviour")

APP_TABLES = {name for name, table in metadata.tables.items() if exists_on(table, engine_under_test())}
# Kept by triggers, read by the services: declared as models and compared like the others.
DERIVED_TABLES = {
    "claim_tally",
    "data_revision",
    "claim_pair",
    "claim_by_theme",
    "claim_by_entity",
    "claim_number",
    "search_posting",
    "search_term",
    "search_tally",
}


def _tables(database: Database) -> set[str]:
    with database.read() as connection:
        return set(inspect(connection).get_table_names())


def _insert_theme(database: Database, slug: str) -> None:
    with database.write() as connection:
        connection.execute(insert(THEME).values(slug=slug, name=slug, description=slug, position=0))


def test_upgrade_downgrade_upgrade_on_an_empty_database(fresh_database: Database) -> None:
    head = migrations.head_revision()
    assert head is not None
    assert migrations.current_revision(fresh_database) is None

    migrations.upgrade(fresh_database)
    assert migrations.current_revision(fresh_database) == head
    assert _tables(fresh_database) >= APP_TABLES

    migrations.downgrade(fresh_database)
    assert migrations.current_revision(fresh_database) is None
    assert APP_TABLES & _tables(fresh_database) == set()

    migrations.upgrade(fresh_database)
    assert migrations.current_revision(fresh_database) == head
    assert _tables(fresh_database) >= APP_TABLES
    _insert_theme(fresh_database, "after-the-round-trip")


def _differences(database: Database) -> list[Any]:
    with database.read() as connection:
        include = migrations.object_filter(connection.dialect.name)
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        return list(compare_metadata(context, metadata))


def test_migrated_schema_matches_the_models(migrated_database: Database) -> None:
    assert _differences(migrated_database) == []


def test_the_derived_tables_are_models_compared_with_the_migrations(migrated_database: Database) -> None:
    derived = DERIVED_TABLES
    assert derived <= APP_TABLES
    include = migrations.object_filter(engine_under_test())
    assert all(include(metadata.tables[name], name, "table", False, None) for name in derived)
    # A derived table that drifts from its model is a difference: an index missing, a column too many.
    with migrated_database.write() as connection:
        connection.exec_driver_sql("DROP INDEX ix_claim_pair_claim_id")
        connection.exec_driver_sql("ALTER TABLE claim_tally ADD COLUMN stray INTEGER")
    found = {
        (kind, getattr(item, "name", None))
        for kind, *rest in _differences(migrated_database)
        for item in rest[-1:]
    }
    assert ("add_index", "ix_claim_pair_claim_id") in found
    assert ("remove_column", "stray") in found


def test_only_the_fts5_table_is_left_out_of_the_comparison() -> None:
    include = migrations.object_filter("sqlite")
    left_out = {
        name for name, table in metadata.tables.items() if not include(table, name, "table", False, None)
    }
    assert left_out == {"search_fts"}
    assert not include(None, "search_fts_data", "table", True, None)
    assert include(metadata.tables["claim_body"], "claim_body", "table", True, None)
    postgres = migrations.object_filter("postgresql")
    assert postgres(metadata.tables["search_posting"], "search_posting", "table", False, None)


def _link_to_missing_claim(database: Database) -> None:
    with database.write() as connection:
        connection.execute(
            insert(THEME).values(slug="linked", name="Linked", description="Linked.", position=0)
        )
        theme_id = connection.execute(select(THEME.c.id).where(THEME.c.slug == "linked")).scalar_one()
        connection.execute(insert(CLAIM_THEME).values(claim_id="no-such-claim", theme_id=theme_id))


def test_foreign_keys_are_enforced(migrated_database: Database) -> None:
    with pytest.raises(IntegrityError):
        _link_to_missing_claim(migrated_database)
    with migrated_database.read() as connection:  # the whole transaction rolled back
        assert connection.execute(select(func.count()).select_from(THEME)).scalar_one() == 0


@sqlite_only
def test_sqlite_connections_use_wal_and_foreign_keys(migrated_database: Database) -> None:
    with migrated_database.write() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        # The one writer keeps a cache large enough for a write's pages across writes.
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == -WRITE_CACHE_KIB
    with migrated_database.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


@sqlite_only
def test_reads_are_query_only(migrated_database: Database) -> None:
    with migrated_database.read() as connection:
        assert connection.exec_driver_sql("PRAGMA query_only").scalar_one() == 1
    with pytest.raises(OperationalError, match="readonly"), migrated_database.read() as connection:
        connection.execute(insert(THEME).values(slug="sneaky", name="Sneaky", description="No.", position=0))
    with migrated_database.read() as connection:
        assert connection.execute(select(func.count()).select_from(THEME)).scalar_one() == 0


@pytest.fixture
def two_writers(fresh_url: str) -> Iterator[tuple[Database, Database]]:
    """Two processes' worth of engines on one SQLite file, with a short busy timeout."""
    settings = Settings(database_url=fresh_url, sqlite_busy_timeout_ms=300)
    first, second = create_database(settings), create_database(settings)
    migrations.upgrade(first)
    yield first, second
    first.dispose()
    second.dispose()


def _hold_write_lock(database: Database, holding: threading.Event, release: threading.Event) -> None:
    with database.write() as connection:
        connection.execute(insert(THEME).values(slug="held", name="Held", description="Held.", position=0))
        holding.set()
        release.wait(10)


def _enter_write(database: Database, entered: list[bool]) -> None:
    with database.write():
        entered.append(True)


@sqlite_only
def test_a_second_writer_waits_at_begin_for_the_busy_timeout(two_writers: tuple[Database, Database]) -> None:
    first, second = two_writers
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(first, holding, release))
    holder.start()
    entered: list[bool] = []
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            _enter_write(second, entered)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(10)
    # BEGIN IMMEDIATE takes the write lock up front: the block never starts, and the failure comes
    # only after waiting busy_timeout (300 ms), not at some later write inside the block.
    assert entered == []
    assert waited >= 0.25


@sqlite_only
def test_a_second_writer_proceeds_once_the_first_commits_and_sees_its_write(
    two_writers: tuple[Database, Database],
) -> None:
    first, _ = two_writers
    url = first.url.render_as_string(hide_password=False)
    patient = create_database(Settings(database_url=url, sqlite_busy_timeout_ms=5000))
    begins: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    event.listen(patient.write_engine, "before_cursor_execute", record)
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(first, holding, release))
    holder.start()
    releaser = threading.Timer(0.3, release.set)
    try:
        assert holding.wait(10)
        releaser.start()
        started = time.monotonic()
        with patient.write() as connection:
            waited = time.monotonic() - started
            # Read-modify-write: the read already sees the first writer's committed row.
            seen = connection.execute(select(func.count()).select_from(THEME)).scalar_one()
            connection.execute(insert(THEME).values(slug="next", name="Next", description="N.", position=1))
    finally:
        releaser.cancel()
        release.set()
        holder.join(10)
        patient.dispose()
    assert begins == ["BEGIN IMMEDIATE"]
    assert 0.2 <= waited < 5
    assert seen == 1


FILTERED_TABLE = {
    "theme": ("claim_by_theme", "theme_id"),
    "entity": ("claim_by_entity", "entity_id"),
    "document": ("claim", "document_id"),
    "kind": ("claim", "kind"),
}


def _filters(name: str) -> ClaimFilters:
    seed = read_annotations(DEFAULT_ANNOTATIONS)
    first = seed.annotations.claims[0]
    values = {
        "theme": ClaimFilters(themes=[first.themes[0]]),
        "entity": ClaimFilters(entities=[first.entities[0]]),
        "document": ClaimFilters(documents=[first.document]),
        "kind": ClaimFilters(kinds=[first.kind]),
    }
    return values[name]


@sqlite_only
@pytest.mark.parametrize("name", list(FILTERED_TABLE))
def test_claim_filters_search_an_index_instead_of_scanning(name: str, seeded_url: str) -> None:
    database = create_database(Settings(database_url=seeded_url))
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.read_engine, "before_cursor_execute", record)
    try:
        page = claims.list_claims(database, _filters(name), limit=20)
        event.remove(database.read_engine, "before_cursor_execute", record)
        assert page.data, "the filter matches claims"
        plans: list[str] = []
        with database.read() as connection:
            for statement, parameters in statements:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plans += [str(row[-1]) for row in rows]
    finally:
        database.dispose()
    table, column = FILTERED_TABLE[name]
    assert full_scans(plans) == [], plans
    # The filter is answered through an index on its column: a range of its values (a theme's or an
    # entity's claims in order, app.services.claim_plans), or a primary-key probe of the claim's links.
    searched = re.compile(
        rf"SEARCH {table}(_\d+)? USING (.*INDEX|PRIMARY KEY) .*\((claim_id=\? AND )?{column}=\?"
    )
    assert any(searched.match(line) for line in plans), plans


# Walking the claims in document order (or a kind's claims in that order) until a page is full is not a
# full scan: the page's LIMIT stops it (the keyset SELECT of app.services.claim_plans).
ORDERED_WALK = re.compile(r"SCAN claim USING (COVERING )?INDEX ix_claim_(document_order|kind)\b")


def full_scans(plans: list[str]) -> list[str]:
    """The plan lines that read a whole claim or link table."""
    return [
        line
        for line in plans
        if re.match(r"SCAN (claim|claim_theme|claim_entity)\b", line) and not ORDERED_WALK.match(line)
    ]
