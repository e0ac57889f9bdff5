"""Dependencies shared by the routers, and the checks on parameters that a schema cannot state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.params import MAX_FILTER_VALUES, ClaimFilterQuery
from app.api.problems import BadParameter
from app.db import Database
from app.services.claim_filters import ClaimFilters, MeasureFilters, RelationFilters
from app.services.search import query as search_query
from app.services.search.query import Node


async def get_database(request: Request) -> Database:
    """The process's Database, built once by create_app."""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]


def split_values(location: str, values: list[str] | None, *, lower: bool = True) -> list[str]:
    """Values from repeated and comma-separated parameters, trimmed, de-duplicated, in order; at most
    MAX_FILTER_VALUES in all (a rule across repeated parameters, which no schema states)."""
    found: list[str] = []
    for value in values or []:
        for part in value.split(","):
            item = part.strip()
            item = item.lower() if lower else item
            if item and item not in found:
                found.append(item)
    if len(found) > MAX_FILTER_VALUES:
        raise BadParameter(location, f"more than {MAX_FILTER_VALUES} values")
    return found


def parse_query(location: str, text: str) -> Node:
    """A search query parsed for the engines; 422 when it has nothing to search for."""
    try:
        return search_query.parse(text)
    except search_query.QueryError as error:
        raise BadParameter(location, str(error)) from error


def claim_filters(
    query: ClaimFilterQuery,
    *,
    scope_theme: str | None = None,
    scope_entity: str | None = None,
    scope_document: str | None = None,
) -> ClaimFilters:
    """Claim filters from a claim list's query, AND'ed with the path's resource (a theme, an entity or a
    document), which answers 404 when it does not exist."""
    parsed = parse_query("query.q", query.q) if query.q is not None else None
    return ClaimFilters(
        themes=split_values("query.theme", query.theme),
        entities=split_values("query.entity", query.entity, lower=False),
        documents=split_values("query.document", query.document, lower=False),
        kinds=split_values("query.kind", query.kind),
        query=parsed,
        sort=query.sort or ("relevance" if parsed is not None else "position"),
        related=_relations(query),
        orphaned=query.orphaned,
        measures=_measures(query),
        scope_theme=scope_theme,
        scope_entity=scope_entity,
        scope_document=scope_document,
    )


# What a query without relation, date or quantity filters has: one instance each, shared by every such
# request rather than built for each (never changed: the filters are frozen).
NO_RELATIONS = RelationFilters()
NO_MEASURES = MeasureFilters()


def _relations(query: ClaimFilterQuery) -> RelationFilters:
    """The filters on a claim's relations."""
    types = split_values("query.relation", query.relation)
    if (
        not types
        and query.contradicted is None
        and query.supported is None
        and query.min_supporting_sources is None
    ):
        return NO_RELATIONS
    return RelationFilters(
        contradicted=query.contradicted,
        supported=query.supported,
        min_supporting_sources=query.min_supporting_sources,
        types=types,
    )


def _measures(query: ClaimFilterQuery) -> MeasureFilters:
    """The date and quantity filters."""
    given = (query.as_of, query.include_undated, query.quantity_unit, query.quantity_min, query.quantity_max)
    if given == (None, None, None, None, None):
        return NO_MEASURES
    return MeasureFilters(
        as_of=query.as_of,
        include_undated=bool(query.include_undated),
        unit=query.quantity_unit,
        minimum=query.quantity_min,
        maximum=query.quantity_max,
    )
