"""Facets read from the tallies and the tables of claims in order (app.services.facets): the counts of
counting claim by claim, for every theme, entity, pair of them and document of the seed, before and
after writes and cascading deletes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, insert, select, update

from app.db import Database
from app.schemas.facets import DIMENSIONS, ClaimFacets
from app.services.claim_filters import ClaimFilters
from app.services.facets import MAX_SIZE, claim_facets
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, DOCUMENT, ENTITY, THEME
from seed.loader import load_seed
from tests.services.cascades import delete_a_theme_an_entity_and_a_document


@pytest.fixture
def seeded(migrated_database: Database) -> Database:
    load_seed(migrated_database)
    return migrated_database


@dataclass(frozen=True)
class _Claim:
    """A claim's value in each facet (themes and entities by slug)."""

    values: dict[str, frozenset[str]]


def _claims(connection: Connection) -> list[_Claim]:
    themes = connection.execute(
        select(CLAIM_THEME.c.claim_id, THEME.c.slug).join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
    )
    entities = connection.execute(
        select(CLAIM_ENTITY.c.claim_id, ENTITY.c.slug).join(ENTITY, ENTITY.c.id == CLAIM_ENTITY.c.entity_id)
    )
    links: dict[str, dict[str, set[str]]] = {"theme": {}, "entity": {}}
    for facet, rows in (("theme", themes), ("entity", entities)):
        for claim_id, slug in rows:
            links[facet].setdefault(claim_id, set()).add(slug)
    return [
        _Claim(
            {
                "theme": frozenset(links["theme"].get(claim_id, ())),
                "entity": frozenset(links["entity"].get(claim_id, ())),
                "kind": frozenset([kind]),
                "document": frozenset([document_id]),
            }
        )
        for claim_id, kind, document_id in connection.execute(
            select(CLAIM.c.id, CLAIM.c.kind, CLAIM.c.document_id)
        )
    ]


def _asked(filters: ClaimFilters) -> dict[str, set[str]]:
    return {
        "theme": set(filters.themes),
        "entity": set(filters.entities),
        "kind": set(filters.kinds),
        "document": set(filters.documents),
    }


def _matches(claim: _Claim, asked: dict[str, set[str]], *, but: str = "") -> bool:
    return all(not values or claim.values[facet] & values for facet, values in asked.items() if facet != but)


def _counted(claims: list[_Claim], filters: ClaimFilters) -> dict[str, Any]:
    """The facets counted claim by claim: each facet's counts by value (the selected ones even at 0)."""
    asked = _asked(filters)
    facets: dict[str, Any] = {"total": sum(_matches(claim, asked) for claim in claims)}
    for facet in DIMENSIONS:
        counts = Counter(
            value for claim in claims if _matches(claim, asked, but=facet) for value in claim.values[facet]
        )
        facets[facet] = {value: counts[value] for value in set(counts) | asked[facet]}
    return facets


def _answered(facets: ClaimFacets) -> dict[str, Any]:
    answered: dict[str, Any] = {"total": facets.total}
    for facet in DIMENSIONS:
        answered[facet] = {item.value: item.count for item in getattr(facets.facets, facet)}
    return answered


def _cases(claims: list[_Claim]) -> Iterator[ClaimFilters]:
    """One theme, one entity, each pair of them (and one pair with no claim), each with each document,
    and one of each with a kind."""
    values = {
        facet: sorted({value for claim in claims for value in claim.values[facet]}) for facet in DIMENSIONS
    }
    themes, entities, documents = values["theme"], values["entity"], values["document"]
    for theme in themes:
        yield ClaimFilters(themes=[theme])
        yield from (ClaimFilters(themes=[theme], documents=[document]) for document in documents)
    for entity in entities:
        yield ClaimFilters(entities=[entity])
        yield from (ClaimFilters(entities=[entity], documents=[document]) for document in documents)
    pairs = {
        (theme, entity)
        for claim in claims
        for theme in claim.values["theme"]
        for entity in claim.values["entity"]
    }
    unpaired = next(
        (theme, entity) for theme in themes for entity in entities if (theme, entity) not in pairs
    )
    for theme, entity in sorted(pairs | {unpaired}):
        yield ClaimFilters(themes=[theme], entities=[entity])
    yield ClaimFilters(themes=[themes[0]], entities=[entities[0]], documents=documents[:2])
    yield ClaimFilters(themes=[themes[0]], kinds=["fact"])
    yield ClaimFilters(entities=[entities[0]], documents=documents[:1], kinds=["opinion", "prediction"])


def _assert_facets_match_counting(database: Database) -> None:
    with database.read() as connection:
        claims = _claims(connection)
    for filters in _cases(claims):
        assert _answered(claim_facets(database, filters, size=MAX_SIZE)) == _counted(claims, filters), filters


def test_facets_of_one_theme_entity_or_pair_match_counting_claim_by_claim(seeded: Database) -> None:
    _assert_facets_match_counting(seeded)


def _link_without(connection: Connection, link: Any, key: Any, value: int) -> tuple[str, int]:
    """A link (claim id, value) of a claim not linked to `value`."""
    linked = select(link.c.claim_id).where(key == value)
    row = connection.execute(
        select(link.c.claim_id, key).where(link.c.claim_id.not_in(linked)).limit(1)
    ).one()
    return row[0], row[1]


def test_they_still_match_after_claims_and_links_change(seeded: Database) -> None:
    with seeded.read() as connection:
        ids = list(connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id)).scalars())
        last_theme = connection.execute(select(THEME.c.id).order_by(THEME.c.id.desc()).limit(1)).scalar_one()
        an_entity = connection.execute(select(ENTITY.c.id).order_by(ENTITY.c.id).limit(1)).scalar_one()
        moved, theme = _link_without(connection, CLAIM_THEME, CLAIM_THEME.c.theme_id, last_theme)
        relinked, _ = _link_without(connection, CLAIM_ENTITY, CLAIM_ENTITY.c.entity_id, an_entity)
    with seeded.write() as connection:
        # A second document, that every third claim moves to: the seed has one.
        connection.execute(insert(DOCUMENT).values(id="second", title="Second", text="…", sha256="0" * 64))
        connection.execute(update(CLAIM).where(CLAIM.c.id.in_(ids[::3])).values(document_id="second"))
        connection.execute(delete(CLAIM).where(CLAIM.c.id == ids[1]))
        connection.execute(update(CLAIM).where(CLAIM.c.id == ids[2]).values(kind="recommendation"))
        connection.execute(delete(CLAIM_THEME).where(CLAIM_THEME.c.claim_id == ids[4]))
        moving = (CLAIM_THEME.c.claim_id == moved) & (CLAIM_THEME.c.theme_id == theme)
        connection.execute(update(CLAIM_THEME).where(moving).values(theme_id=last_theme))
        connection.execute(delete(CLAIM_ENTITY).where(CLAIM_ENTITY.c.claim_id == ids[7]))
        connection.execute(insert(CLAIM_ENTITY).values(claim_id=relinked, entity_id=an_entity))
    _assert_facets_match_counting(seeded)
    for _ in delete_a_theme_an_entity_and_a_document(seeded):
        _assert_facets_match_counting(seeded)


def test_one_themes_facets_read_neither_its_links_nor_its_claims_one_by_one(seeded: Database) -> None:
    """Its entity facet comes from the pair tallies and its documents from claim_by_theme: only its
    kinds need the claim rows."""
    with seeded.read() as connection:
        theme = connection.execute(select(THEME.c.slug).order_by(THEME.c.id).limit(1)).scalar_one()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(seeded.read_engine, "before_cursor_execute", record)
    try:
        claim_facets(seeded, ClaimFilters(themes=[theme]), size=MAX_SIZE)
    finally:
        event.remove(seeded.read_engine, "before_cursor_execute", record)
    assert statements
    # The relation facet is the exception: it walks the relations and tests each related claim against
    # the filters (its theme's links among them), so its cost follows the relations, not the claims.
    assert not [
        statement
        for statement in statements
        if ("claim_theme" in statement or "claim_entity" in statement) and "claim_relation" not in statement
    ]
