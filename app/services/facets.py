"""Facet counts over the filtered claims (disjunctive per facet), in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    select,
    union_all,
)

from app.db import Database
from app.models import EntityType
from app.schemas.facets import DIMENSIONS, ClaimFacets, Dimension, EntityFacetValue, FacetCounts, FacetValue
from app.services import claim_plans
from app.services.claim_filters import ClaimFilters, ResolvedFilters, conditions, resolve
from app.services.dimensions import AXES
from app.services.entities import entity_ids_by_key
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, DOCUMENT, ENTITY, THEME
from app.services.tallies import CLAIM_TALLY

Conditions = list[ColumnElement[Any]]
DEFAULT_SIZE = 50
MAX_SIZE = 1000
_NO_FILTERS = ClaimFilters()


@dataclass
class _Tally:
    value: str
    label: str
    type: EntityType | None
    count: int = 0
    selected: bool = False


def _own_conditions(
    connection: Connection, filters: ClaimFilters
) -> tuple[dict[Dimension, Conditions], Conditions]:
    """Each facet's own filter as conditions, and the conditions of every other filter (q, scopes…).

    Validated in the order /v1/claims validates them, so both name the same unknown value first.
    """
    own: dict[Dimension, Conditions] = {
        "theme": conditions(connection, replace(_NO_FILTERS, themes=filters.themes)),
        "entity": conditions(connection, replace(_NO_FILTERS, entities=filters.entities)),
        "document": conditions(connection, replace(_NO_FILTERS, documents=filters.documents)),
        "kind": conditions(connection, replace(_NO_FILTERS, kinds=filters.kinds)),
    }
    rest = conditions(connection, replace(filters, themes=[], entities=[], documents=[], kinds=[]))
    return own, rest


def _tallied(dimension: Dimension) -> Select[Any]:
    """A facet over every claim, read from claim_tally (migration 0004) instead of counted: counting all
    the claims of every theme was 200 ms of a facets request at 100,000 claims."""
    axis = AXES[dimension]
    tally = (
        select(CLAIM_TALLY).where(CLAIM_TALLY.c.dimension == dimension, CLAIM_TALLY.c.claims > 0).subquery()
    )
    source: Any = tally
    if dimension in {"theme", "entity"}:
        table = THEME if dimension == "theme" else ENTITY
        source = tally.join(table, cast(table.c.id, String) == tally.c.value)
    elif dimension == "document":
        source = tally.join(DOCUMENT, DOCUMENT.c.id == tally.c.value)
    value = tally.c.value if dimension == "kind" else axis.value
    return select(
        literal(dimension).label("facet"),
        value.label("value"),
        value.label("label") if dimension == "kind" else axis.label.label("label"),
        axis.type.label("type"),
        tally.c.claims.label("claim_count"),
        literal(0, Integer).label("selected"),
    ).select_from(source)


def _paired_entities(theme_id: int) -> Select[Any]:
    """The entity facet of one theme's claims, read from the pair tallies (migration 0005) instead of
    counted: counting a popular theme's entity links was most of a facets request (92 ms at 100,000)."""
    axis = AXES["entity"]
    prefix = f"{theme_id}:"
    # Values are `<theme id>:<entity id>`: one theme's pairs are the range [prefix, next prefix).
    tally = (
        select(CLAIM_TALLY)
        .where(
            CLAIM_TALLY.c.dimension == "pair",
            CLAIM_TALLY.c.value >= prefix,
            CLAIM_TALLY.c.value < f"{theme_id};",
            CLAIM_TALLY.c.claims > 0,
        )
        .subquery()
    )
    entity_id = cast(func.substr(tally.c.value, len(prefix) + 1), Integer)
    return select(
        literal("entity").label("facet"),
        axis.value.label("value"),
        axis.label.label("label"),
        axis.type.label("type"),
        tally.c.claims.label("claim_count"),
        literal(0, Integer).label("selected"),
    ).select_from(tally.join(ENTITY, ENTITY.c.id == entity_id))


def _one_theme(filters: ClaimFilters, resolved: ResolvedFilters) -> int | None:
    """The theme id when the entity facet's filters are exactly one theme (pairs tally it), else None."""
    others = replace(filters, entities=[], sort="position")
    if len(filters.themes) != 1 or others != ClaimFilters(themes=filters.themes):
        return None
    (theme_ids,) = resolved.theme_ids
    return theme_ids[0] if len(theme_ids) == 1 else None


def _counted(dimension: Dimension, where: Conditions) -> Select[Any]:
    """A facet over the claims matching `where`: claims counted per value key, then labelled.

    Counting per id before joining the labels, and counting rows rather than distinct claims (a claim
    links to a value once), made the entity facet of a popular theme 3.5x cheaper at 100,000 claims.
    """
    if not where:
        return _tallied(dimension)
    axis = AXES[dimension]
    if dimension == "kind":
        return (
            select(
                literal(dimension).label("facet"),
                CLAIM.c.kind.label("value"),
                CLAIM.c.kind.label("label"),
                axis.type.label("type"),
                func.count().label("claim_count"),
                literal(0, Integer).label("selected"),
            )
            .where(*where)
            .group_by(CLAIM.c.kind)
        )
    table = {"theme": THEME, "entity": ENTITY, "document": DOCUMENT}[dimension]
    source: Any = CLAIM
    key: ColumnElement[Any] = CLAIM.c.document_id
    if dimension in {"theme", "entity"}:
        # An alias: the filters' own subqueries on the link tables must not correlate with this one.
        link = (CLAIM_THEME if dimension == "theme" else CLAIM_ENTITY).alias()
        key = link.c.theme_id if dimension == "theme" else link.c.entity_id
        source = CLAIM.join(link, link.c.claim_id == CLAIM.c.id)
    counts = (
        select(key.label("key"), func.count().label("claims"))
        .select_from(source)
        .where(*where)
        .group_by(key)
        .subquery()
    )
    return select(
        literal(dimension).label("facet"),
        axis.value.label("value"),
        axis.label.label("label"),
        axis.type.label("type"),
        counts.c.claims.label("claim_count"),
        literal(0, Integer).label("selected"),
    ).select_from(counts.join(table, table.c.id == counts.c.key))


def _selected(dimension: Dimension, where: ColumnElement[bool]) -> Select[Any]:
    """The selected values themselves, so that one matching no claim still shows (with count 0)."""
    axis = AXES[dimension]
    table = {"theme": THEME, "entity": ENTITY, "document": DOCUMENT}[dimension]
    return (
        select(
            literal(dimension).label("facet"),
            axis.value.label("value"),
            axis.label.label("label"),
            axis.type.label("type"),
            literal(0, Integer).label("claim_count"),
            literal(1, Integer).label("selected"),
        )
        .select_from(table)
        .where(where)
    )


def claim_facets(database: Database, filters: ClaimFilters, *, size: int = DEFAULT_SIZE) -> ClaimFacets:
    """Counts per theme, entity, kind and document over the claims matching `filters`: at most `size`
    values a facet, the largest counts first, and the selected values whatever their rank.

    Each facet's counts apply every filter except that facet's own (disjunctive faceting): a value's count
    is how many claims the list would hold with that value as the facet's only filter value.
    """
    with database.read() as connection:
        own, rest = _own_conditions(connection, filters)
        resolved = resolve(connection, filters)  # resolved once, for the total and the pair tallies
        total = claim_plans.plan(connection, resolved, limit=1).total
        one_theme = _one_theme(filters, resolved)
        branches = [
            _paired_entities(one_theme)
            if dimension == "entity" and one_theme is not None
            else _counted(
                dimension, rest + [c for other in DIMENSIONS if other != dimension for c in own[other]]
            )
            for dimension in DIMENSIONS
        ]
        if filters.themes:
            branches.append(_selected("theme", THEME.c.slug.in_(filters.themes)))
        if filters.entities:
            entity_ids = set(entity_ids_by_key(connection, filters.entities).values())
            branches.append(_selected("entity", ENTITY.c.id.in_(entity_ids)))
        if filters.documents:
            branches.append(_selected("document", DOCUMENT.c.id.in_(filters.documents)))
        rows = connection.execute(union_all(*branches)).all()
    tallies: dict[str, dict[str, _Tally]] = {dimension: {} for dimension in DIMENSIONS}
    for row in rows:
        tally = tallies[row.facet].setdefault(row.value, _Tally(row.value, row.label, row.type))
        tally.count = max(tally.count, int(row.claim_count))
        tally.selected = tally.selected or bool(row.selected)
    for kind in filters.kinds:  # kinds have no table to select them from
        tallies["kind"].setdefault(kind, _Tally(kind, kind, None)).selected = True
    return ClaimFacets(
        total=total,
        facets=FacetCounts(
            theme=[_value(tally) for tally in _ordered(tallies["theme"], size)],
            entity=[_entity_value(tally) for tally in _ordered(tallies["entity"], size)],
            kind=[_value(tally) for tally in _ordered(tallies["kind"], size)],
            document=[_value(tally) for tally in _ordered(tallies["document"], size)],
        ),
    )


def _ordered(tallies: dict[str, _Tally], size: int) -> list[_Tally]:
    """The `size` largest counts and every selected value; largest count first, then by label (and value,
    so that the order is total)."""
    ranked = sorted(tallies.values(), key=lambda tally: (-tally.count, tally.label, tally.value))
    return [tally for rank, tally in enumerate(ranked) if rank < size or tally.selected]


def _value(tally: _Tally) -> FacetValue:
    return FacetValue(value=tally.value, label=tally.label, count=tally.count, selected=tally.selected)


def _entity_value(tally: _Tally) -> EntityFacetValue:
    assert tally.type is not None, "entity rows carry the entity's type"
    fields = {"value": tally.value, "label": tally.label, "count": tally.count, "selected": tally.selected}
    return EntityFacetValue(**fields, type=tally.type)
