"""Claim counting and paging (app.services.claim_plans): exact totals from the trigger-kept tallies, the
trigger-kept tables of claims in order, the same pages from a range as from the general keyset SELECT, and
index-served deep pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, func, insert, select, text, update

from app.config import Settings
from app.db import Database, create_database
from app.services import claim_plans, claims, migrations
from app.services.annotations import read_annotations
from app.services.claim_filters import ClaimFilters, resolve
from app.services.errors import UnknownFilterValues
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, ENTITY, THEME
from app.services.tallies import tally
from seed.loader import DEFAULT_ANNOTATIONS, load_seed
from tests.databases import engine_under_test
from tests.services.cascades import delete_a_theme_an_entity_and_a_document

sqlite_only = pytest.mark.skipif(engine_under_test() != "sqlite", reason="SQLite query plans")

COUNTED = {
    ("claim", ""): "SELECT count(*) FROM claim",
    ("kind", None): "SELECT kind, count(*) FROM claim GROUP BY kind",
    ("document", None): "SELECT document_id, count(*) FROM claim GROUP BY document_id",
    ("theme", None): "SELECT CAST(theme_id AS VARCHAR), count(*) FROM claim_theme GROUP BY theme_id",
    ("entity", None): "SELECT CAST(entity_id AS VARCHAR), count(*) FROM claim_entity GROUP BY entity_id",
    ("pair", None): "SELECT CAST(t.theme_id AS VARCHAR) || ':' || CAST(e.entity_id AS VARCHAR), count(*) "
    "FROM claim_theme t JOIN claim_entity e ON e.claim_id = t.claim_id GROUP BY t.theme_id, e.entity_id",
}


def _tallies(connection: Connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(text("SELECT dimension, value, claims FROM claim_tally WHERE claims <> 0"))
    return {(dimension, value): claims for dimension, value, claims in rows}


# claim_pair (migration 0006) must hold exactly each claim's (theme, entity) pairs, with its order key.
PAIR_ROWS = "SELECT theme_id, entity_id, document_id, span_start, span_end, claim_id FROM claim_pair"
JOINED_PAIRS = (
    "SELECT t.theme_id, e.entity_id, c.document_id, c.span_start, c.span_end, c.id FROM claim_theme t "
    "JOIN claim_entity e ON e.claim_id = t.claim_id JOIN claim c ON c.id = t.claim_id"
)


def _pair_rows(connection: Connection) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in connection.execute(text(PAIR_ROWS)))


def _joined_pairs(connection: Connection) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in connection.execute(text(JOINED_PAIRS)))


# claim_by_theme and claim_by_entity (migration 0008) must hold exactly each link with its claim's order key
# and kind (0010).
LINK_ROWS = {
    "claim_by_theme": "SELECT l.theme_id, c.document_id, c.span_start, c.span_end, c.id, c.kind "
    "FROM claim_theme l JOIN claim c ON c.id = l.claim_id",
    "claim_by_entity": "SELECT l.entity_id, c.document_id, c.span_start, c.span_end, c.id, c.kind "
    "FROM claim_entity l JOIN claim c ON c.id = l.claim_id",
}


def _stale_link_rows(connection: Connection) -> list[str]:
    """The ordered link tables whose rows are not exactly their links' (the seed has rows in each)."""
    stale = []
    for table, joined in LINK_ROWS.items():
        held = sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
        if held != sorted(tuple(row) for row in connection.execute(text(joined))):
            stale.append(table)
    return stale


def _counted(connection: Connection) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for (dimension, value), sql in COUNTED.items():
        for row in connection.execute(text(sql)):
            found[(dimension, value if value is not None else row[0])] = row[-1]
    return {key: count for key, count in found.items() if count}


@pytest.fixture
def seeded(migrated_database: Database) -> Database:
    load_seed(migrated_database)
    return migrated_database


def _quoted(connection: Connection) -> set[str]:
    """Ids of the claims with a quote (and so a span in their document's text)."""
    return set(connection.execute(select(CLAIM.c.id).where(CLAIM.c.quote.is_not(None))).scalars())


def _linked(connection: Connection) -> list[str]:
    """Ids of claims with at least one theme and one entity (pairs to tally), in id order."""
    return list(
        connection.execute(
            select(CLAIM.c.id)
            .where(
                CLAIM.c.id.in_(select(CLAIM_THEME.c.claim_id)),
                CLAIM.c.id.in_(select(CLAIM_ENTITY.c.claim_id)),
            )
            .order_by(CLAIM.c.id)
        ).scalars()
    )


def test_tallies_and_pair_rows_match_the_links_after_every_kind_of_write(seeded: Database) -> None:
    with seeded.read() as connection:
        counted = _counted(connection)
        assert _tallies(connection) == counted
        assert any(dimension == "pair" for dimension, _ in counted)  # the seed has pairs to tally
        assert _pair_rows(connection) == _joined_pairs(connection) != []
        assert _stale_link_rows(connection) == []
        first, second, third, fourth = _linked(connection)[:4]
        # Only a quoted claim has a span to move: a cited document's paraphrase has none.
        fifth = next(c for c in _linked(connection)[4:] if c in _quoted(connection))
        last_theme = connection.execute(select(func.max(THEME.c.id))).scalar_one()
        some_entity = connection.execute(select(func.min(ENTITY.c.id))).scalar_one()
    with seeded.write() as connection:
        connection.execute(delete(CLAIM).where(CLAIM.c.id == first))  # cascades to its links
        connection.execute(update(CLAIM).where(CLAIM.c.id == second).values(kind="prediction"))
        connection.execute(
            update(CLAIM_THEME).where(CLAIM_THEME.c.claim_id == third).values(theme_id=last_theme)
        )
        connection.execute(delete(CLAIM_ENTITY).where(CLAIM_ENTITY.c.claim_id == second))
        connection.execute(insert(CLAIM_ENTITY).values(claim_id=second, entity_id=some_entity))
        connection.execute(delete(CLAIM_THEME).where(CLAIM_THEME.c.claim_id == fourth))
        # A claim moved in its document moves in every pair's order.
        connection.execute(update(CLAIM).where(CLAIM.c.id == fifth).values(span_end=CLAIM.c.span_end + 1))
    with seeded.read() as connection:
        assert _tallies(connection) == _counted(connection)
        assert _pair_rows(connection) == _joined_pairs(connection)
        assert _stale_link_rows(connection) == []


def test_tallies_and_pair_rows_match_the_links_after_cascades_from_themes_entities_and_documents(
    seeded: Database,
) -> None:
    for table in delete_a_theme_an_entity_and_a_document(seeded):
        with seeded.read() as connection:
            assert _tallies(connection) == _counted(connection), table
            assert _pair_rows(connection) == _joined_pairs(connection), table
            assert _stale_link_rows(connection) == [], table


def test_the_pair_rows_migration_fills_them_from_the_links_already_there(seeded: Database) -> None:
    migrations.downgrade(seeded, "0005")
    migrations.upgrade(seeded)
    with seeded.read() as connection:
        assert _pair_rows(connection) == _joined_pairs(connection) != []
        assert _stale_link_rows(connection) == []
        for table in LINK_ROWS:
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0


def _walk(database: Database, filters: ClaimFilters, limit: int) -> tuple[list[str], int]:
    ids: list[str] = []
    cursor = None
    while True:
        page = claims.list_claims(database, filters, limit=limit, cursor=cursor)
        ids += [claim.id for claim in page.data]
        if page.meta.next_cursor is None:
            return ids, page.meta.total
        cursor = page.meta.next_cursor


def test_every_filter_combination_pages_through_exactly_its_claims(seeded: Database) -> None:
    """A range (one theme, one entity, one pair) and the keyset SELECT (anything else) must each give
    every matching claim once, in document order, with the exact total."""
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    ordered = sorted(annotations.claims, key=lambda c: c.order_key)
    order = [c.id for c in ordered]
    themes = {c.id: set(c.themes) for c in annotations.claims}
    entities = {c.id: set(c.entities) for c in annotations.claims}
    kinds = {c.id: c.kind for c in annotations.claims}
    documents = {c.id: c.document for c in annotations.claims}
    first = annotations.claims[0]
    theme, entity, document = first.themes[0], first.entities[0], first.document
    other = next(e for c in annotations.claims for e in c.entities if e != entity)
    cases: list[tuple[ClaimFilters, Any]] = [
        *((ClaimFilters(themes=[t.slug]), lambda i, t=t.slug: t in themes[i]) for t in annotations.themes),
        *(
            (ClaimFilters(entities=[e.slug]), lambda i, e=e.slug: e in entities[i])
            for e in annotations.entities
        ),
        (
            ClaimFilters(themes=[theme], entities=[entity]),
            lambda i: theme in themes[i] and entity in entities[i],
        ),
        (
            ClaimFilters(entities=[entity], kinds=["fact"]),
            lambda i: entity in entities[i] and kinds[i] == "fact",
        ),
        (
            ClaimFilters(themes=[theme], entities=[entity], kinds=["fact", "opinion"]),
            lambda i: theme in themes[i] and entity in entities[i] and kinds[i] in {"fact", "opinion"},
        ),
        (
            ClaimFilters(entities=[entity, other]),
            lambda i: bool(entities[i] & {entity, other}),
        ),
        (
            ClaimFilters(entities=[other], scope_entity=entity),
            lambda i: {entity, other} <= entities[i],
        ),
        (ClaimFilters(themes=[theme], scope_theme=theme), lambda i: theme in themes[i]),
        (ClaimFilters(documents=[document]), lambda i: documents[i] == document),
        (
            ClaimFilters(themes=[theme], documents=[document]),
            lambda i: theme in themes[i] and documents[i] == document,
        ),
        (ClaimFilters(kinds=["opinion"]), lambda i: kinds[i] == "opinion"),
        (ClaimFilters(), lambda i: True),
    ]
    for filters, wanted in cases:
        expected = [claim_id for claim_id in order if wanted(claim_id)]
        for limit in (1, 7):
            assert _walk(seeded, filters, limit) == (expected, len(expected)), filters


def _strategy_pages(
    database: Database, filters: ClaimFilters, limit: int, strategy: str
) -> list[tuple[list[str], int, bool]]:
    """Every page of `filters` read by one strategy (`range` or `keyset`), key after key: its claim ids,
    total, and whether more follow."""
    pages: list[tuple[list[str], int, bool]] = []
    key: list[Any] | None = None
    with database.read() as connection:
        resolved = resolve(connection, filters)
        while True:
            if strategy == "range":
                of_range = claim_plans.range_of(resolved)
                assert of_range is not None, filters
                page = claim_plans.range_page(connection, *of_range, key, limit)
            else:
                page = claim_plans.keyset_page(connection, resolved, key, limit)
            pages.append(([row.id for row in page.rows], page.total, page.more))
            if not page.more:
                return pages
            last = page.rows[-1]
            key = [last.document_id, last.span_start, last.span_end, last.id]


def test_a_range_page_is_the_keyset_select_s_page(seeded: Database) -> None:
    """Differential: for every theme, entity and pair of the seed, the range pages, totals and ends are
    those the general keyset SELECT gives for the same filters."""
    for filters in _named_lists():
        for limit in (1, 4):
            by_range = _strategy_pages(seeded, filters, limit, "range")
            assert by_range == _strategy_pages(seeded, filters, limit, "keyset"), filters
            with seeded.read() as connection:
                assert by_range[0][1] == claim_plans.total(connection, resolve(connection, filters)), filters


@pytest.fixture
def seeded_reader(seeded_url: str) -> Iterator[Database]:
    database = create_database(Settings(database_url=seeded_url))
    yield database
    database.dispose()


# A statement that reads a page of claims in document order (a range, or the keyset SELECT).
PAGE_READ = r"ORDER BY claim(_pair|_by_theme|_by_entity)?\.document_id"
# A statement that reads claims' texts: their stored answers.
CLAIM_READ = r"\b(claim_body|b)\.body\b"


@contextmanager
def _statements(database: Database, matching: str = "") -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) run on the read engine while the block runs, those that
    `matching` finds (a regular expression; every statement when empty)."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if re.search(matching, statement):
            statements.append((statement, parameters))

    event.listen(database.read_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.read_engine, "before_cursor_execute", record)


def _deep_page_plan(database: Database, filters: ClaimFilters) -> list[str]:
    """SQLite's plan for the statement that reads the order keys of the second page of `filters`."""
    first = claims.list_claims(database, filters, limit=2)
    with _statements(database, PAGE_READ) as statements:
        claims.list_claims(database, filters, limit=2, cursor=first.meta.next_cursor)
    ((statement, parameters),) = statements
    with database.read() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        # The outer query's steps only.
        return [str(row[-1]) for row in rows if row[1] == 0]


@sqlite_only
@pytest.mark.parametrize("dimension", ["theme", "entity"])
def test_a_deep_page_of_one_theme_or_entity_seeks_its_place_in_its_rows(
    seeded_reader: Database, dimension: str
) -> None:
    """A page of one theme (entity) is a range of claim_by_theme (claim_by_entity), from the cursor's
    key: no walk down the order index probing links, no sort."""
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    # Each value's slug, and how many claims it is linked to.
    links: dict[str, int] = {}
    for claim in annotations.claims:
        for slug in claim.themes if dimension == "theme" else claim.entities:
            links[slug] = links.get(slug, 0) + 1
    dense = max(links, key=lambda slug: links[slug])
    filters = ClaimFilters(themes=[dense]) if dimension == "theme" else ClaimFilters(entities=[dense])
    plan = _deep_page_plan(seeded_reader, filters)
    seek = re.compile(rf"SEARCH claim_by_{dimension} USING PRIMARY KEY \({dimension}_id=\? AND \(document_id")
    assert any(seek.match(line) for line in plan), plan
    assert not any(line.startswith(("SCAN", "USE TEMP B-TREE")) for line in plan), plan


@sqlite_only
def test_a_deep_page_of_a_theme_and_entity_seeks_its_place_in_the_pair_rows(seeded_reader: Database) -> None:
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    pairs = [(t, e) for c in annotations.claims for t in c.themes for e in c.entities]
    theme, entity = max(set(pairs), key=pairs.count)  # the pair most claims share: it has a second page
    plan = _deep_page_plan(seeded_reader, ClaimFilters(themes=[theme], entities=[entity]))
    seek = re.compile(r"SEARCH claim_pair USING PRIMARY KEY \(theme_id=\? AND entity_id=\? AND \(document_id")
    assert any(seek.match(line) for line in plan), plan
    assert not any(line.startswith(("SCAN", "USE TEMP B-TREE")) for line in plan), plan


@pytest.mark.skipif(
    engine_under_test() != "sqlite",
    reason="PostgreSQL reads run in READ COMMITTED: each statement sees the commits before it",
)
def test_a_read_sees_one_snapshot_while_a_write_commits(seeded: Database) -> None:
    """A list's total (a tally) and its page are read in one transaction: a write committed between
    them is seen by neither."""
    with seeded.read() as connection:
        first = tally(connection, "claim")
        with seeded.write() as writer:
            victim = writer.execute(select(CLAIM.c.id).limit(1)).scalar_one()
            writer.execute(delete(CLAIM).where(CLAIM.c.id == victim))
        assert tally(connection, "claim") == first
        assert connection.execute(select(func.count()).select_from(CLAIM)).scalar_one() == first
    with seeded.read() as connection:
        assert tally(connection, "claim") == first - 1


def test_a_page_read_in_document_order_reads_its_claims_in_the_same_statement(
    seeded_reader: Database,
) -> None:
    """A theme's range gives the page's claims in order, so the page reads them whole as it goes (the
    stored answers) instead of finding their keys and then reading the claims by id: one statement
    fewer."""
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    dense = max(annotations.themes, key=lambda t: sum(t.slug in c.themes for c in annotations.claims))
    filters = ClaimFilters(themes=[dense.slug])
    with _statements(seeded_reader, CLAIM_READ) as statements:
        page = claims.list_claims(seeded_reader, filters, limit=3)
    ((statement, _),) = statements
    assert "LIMIT" in statement, statement
    expected = [c for c in annotations.claims if dense.slug in c.themes]
    expected.sort(key=lambda c: c.order_key)
    assert [claim.id for claim in page.data] == [c.id for c in expected[:3]]
    with seeded_reader.read() as connection:  # the same claims as read by id
        assert page.data == claims.claims_by_id(connection, [c.id for c in expected[:3]])


def test_a_theme_and_entity_list_is_counted_by_its_tally_and_reads_only_a_page(
    seeded_reader: Database,
) -> None:
    """The pair's total is its one tally read, and its page is a range of claim_pair: no statement reads
    every match or walks the claims in order."""
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    claim = next(c for c in annotations.claims if c.themes and c.entities)
    theme, entity = claim.themes[0], claim.entities[0]
    matches = sorted(
        (c for c in annotations.claims if theme in c.themes and entity in c.entities),
        key=lambda c: c.order_key,
    )
    tallies_read: list[Any] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "FROM claim_tally" in statement:
            tallies_read.append(parameters)

    event.listen(seeded_reader.read_engine, "before_cursor_execute", record)
    try:
        with _statements(seeded_reader, PAGE_READ) as statements:
            filters = ClaimFilters(themes=[theme], entities=[entity])
            page = claims.list_claims(seeded_reader, filters, limit=1)
    finally:
        event.remove(seeded_reader.read_engine, "before_cursor_execute", record)
    ((parameters,),) = [tallies_read]
    bound = parameters.values() if isinstance(parameters, dict) else parameters  # PostgreSQL's are named
    assert "pair" in bound, tallies_read
    assert page.meta.total == len(matches)
    assert [c.id for c in page.data] == [matches[0].id]
    ((statement, _),) = statements
    assert "FROM claim_pair" in statement, statement
    assert "LIMIT" in statement, statement


def _pages(database: Database, filters: ClaimFilters, limit: int) -> list[tuple[list[str], int, str | None]]:
    """Every page of `filters`, cursor after cursor: its claim ids, total and next cursor."""
    pages, cursor = [], None
    while True:
        page = claims.list_claims(database, filters, limit=limit, cursor=cursor)
        pages.append(([claim.id for claim in page.data], page.meta.total, page.meta.next_cursor))
        if (cursor := page.meta.next_cursor) is None:
            return pages


def _named_lists() -> list[ClaimFilters]:
    """One theme, one entity (by slug, by name in other letters, by each alias), and each (theme, entity)
    pair of the seed's claims: what a list reads in one statement."""
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    lists = [ClaimFilters(themes=[theme.slug]) for theme in annotations.themes]
    for entity in annotations.entities:
        keys = [entity.slug, entity.name.upper(), *entity.aliases]
        lists += [ClaimFilters(entities=[key]) for key in keys]
    pairs = {
        (theme, entity) for claim in annotations.claims for theme in claim.themes for entity in claim.entities
    }
    lists += [ClaimFilters(themes=[theme], entities=[entity]) for theme, entity in sorted(pairs)]
    return lists


@sqlite_only
def test_a_list_of_one_theme_entity_or_pair_is_one_statement_with_the_range_by_ids_pages(
    seeded_reader: Database,
) -> None:
    """One theme, one entity (named by slug, name or alias, in any case), or one of each, and nothing
    else, reads its ids, its tally and its page in one statement (SQLite); every page, total and cursor
    is the one the range by ids gives (the same filters sorted `relevance` without a query take it)."""
    for filters in _named_lists():
        general = replace(filters, sort="relevance")
        for limit in (1, 3):
            assert _pages(seeded_reader, filters, limit) == _pages(seeded_reader, general, limit), filters
        with _statements(seeded_reader) as statements:
            page = claims.list_claims(seeded_reader, filters, limit=2)
        assert page.data, filters
        assert len(statements) == 1, statements


def test_a_list_of_one_theme_tells_an_unknown_theme_from_an_empty_one(seeded: Database) -> None:
    with seeded.write() as connection:
        connection.execute(
            insert(THEME).values(slug="no-claims-yet", name="No claims yet", description="", position=999)
        )
    page = claims.list_claims(seeded, ClaimFilters(themes=["no-claims-yet"]), limit=5)
    assert (page.data, page.meta.total, page.meta.next_cursor) == ([], 0, None)
    with pytest.raises(UnknownFilterValues):
        claims.list_claims(seeded, ClaimFilters(themes=["no-such-theme"]), limit=5)


def test_a_list_of_one_entity_or_pair_tells_an_unknown_value_from_an_empty_list(seeded: Database) -> None:
    annotations = read_annotations(DEFAULT_ANNOTATIONS).annotations
    theme = annotations.themes[0].slug
    apart = next(
        e.slug
        for e in annotations.entities
        if not any(theme in c.themes and e.slug in c.entities for c in annotations.claims)
    )
    page = claims.list_claims(seeded, ClaimFilters(themes=[theme], entities=[apart]), limit=5)
    assert (page.data, page.meta.total, page.meta.next_cursor) == ([], 0, None)
    for filters in (
        ClaimFilters(entities=["no-such-entity"]),
        ClaimFilters(themes=[theme], entities=["no-such-entity"]),
    ):
        with pytest.raises(UnknownFilterValues):
            claims.list_claims(seeded, filters, limit=5)
