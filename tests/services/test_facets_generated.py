"""Facets on a generated corpus (the benchmark's generator, Zipf-skewed): the answers counted, and the
answers kept per process, are the counts of counting claim by claim, before and after writes made
outside the service."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest
from sqlalchemy import delete, select, update

from app.config import Settings
from app.db import Database, create_database
from app.schemas.facets import ClaimFacets
from app.services.claim_filters import ClaimFilters
from app.services.facets import MAX_SIZE, claim_facets, claim_facets_json, kept_facets_json
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME
from bench.corpus import Corpus
from bench.load import fill
from tests.databases import engine_under_test
from tests.services.test_facets_ranges import _answered, _Claim, _claims, _counted

pytestmark = pytest.mark.skipif(engine_under_test() != "sqlite", reason="the generated corpus is SQLite's")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """2,000 generated claims, in a database of this module's own (its tests write)."""
    path = tmp_path_factory.mktemp("facets") / "generated.db"
    database = create_database(Settings(database_url=f"sqlite:///{path}"))
    fill(database, Corpus(2000))
    yield database
    database.dispose()


def _cases(claims: list[_Claim]) -> list[ClaimFilters]:
    """No filter, every theme, the most used entities, pairs of them, and kinds alone and with a theme."""
    themes = sorted({theme for claim in claims for theme in claim.values["theme"]})
    by_use: dict[str, int] = {}
    for claim in claims:
        for entity in claim.values["entity"]:
            by_use[entity] = by_use.get(entity, 0) + 1
    entities = sorted(by_use, key=lambda entity: (-by_use[entity], entity))[:8]
    pairs = [(theme, entity) for theme in themes[:3] for entity in entities[:3]]
    return [
        ClaimFilters(),
        *(ClaimFilters(themes=[theme]) for theme in themes),
        *(ClaimFilters(entities=[entity]) for entity in entities),
        *(ClaimFilters(themes=[theme], entities=[entity]) for theme, entity in pairs),
        ClaimFilters(themes=themes[:2]),
        ClaimFilters(kinds=["fact"]),
        ClaimFilters(themes=[themes[1]], kinds=["opinion", "prediction"]),
    ]


def _assert_served_as_counted(database: Database) -> None:
    """Each case counted (or kept from before: the revision says which), then kept: both as counted
    claim by claim."""
    with database.read() as connection:
        claims = _claims(connection)
    for filters in _cases(claims):
        expected = _counted(claims, filters)
        counted = claim_facets_json(database, filters, size=MAX_SIZE)
        assert _answered(ClaimFacets.model_validate_json(counted)) == expected, filters
        assert kept_facets_json(database, filters, size=MAX_SIZE) == counted, filters


def test_facets_on_a_generated_corpus_are_the_counts(generated: Database) -> None:
    _assert_served_as_counted(generated)


def test_kept_facets_follow_writes_made_outside_the_service(generated: Database) -> None:
    _assert_served_as_counted(generated)  # every case kept
    with generated.read() as connection:
        ids = list(islice(connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id)).scalars(), 400))
    with generated.write() as connection:
        connection.execute(update(CLAIM).where(CLAIM.c.id.in_(ids[::5])).values(kind="fact"))
        connection.execute(delete(CLAIM_THEME).where(CLAIM_THEME.c.claim_id.in_(ids[1::7])))
        connection.execute(delete(CLAIM_ENTITY).where(CLAIM_ENTITY.c.claim_id.in_(ids[2::3])))
    _assert_served_as_counted(generated)


def _cut(facets: ClaimFacets, size: int) -> dict[str, list[tuple[str, int, bool]]]:
    """Each facet's values as a page of `size` shows them: the `size` first, and every selected one."""
    return {
        facet: [
            (item.value, item.count, item.selected)
            for rank, item in enumerate(getattr(facets.facets, facet))
            if rank < size or item.selected
        ]
        for facet in ("theme", "entity", "document")
    }


@pytest.mark.parametrize("size", [1, 3, 10])
def test_a_small_size_is_the_first_values_of_every_value_ties_and_selected_ones_included(
    generated: Database, size: int
) -> None:
    with generated.read() as connection:
        claims = _claims(connection)
    everything = claim_facets(generated, ClaimFilters(), size=MAX_SIZE).facets
    rarest = [item.value for item in everything.entity[-3:]]
    cases = [
        *_cases(claims),
        ClaimFilters(entities=rarest),
        ClaimFilters(themes=[everything.theme[-1].value]),
        ClaimFilters(themes=[everything.theme[0].value], entities=rarest[:1]),
    ]
    for filters in cases:
        whole = claim_facets(generated, filters, size=MAX_SIZE)
        assert _cut(claim_facets(generated, filters, size=size), size) == _cut(whole, size), filters
