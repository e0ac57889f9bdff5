"""Dependencies shared by the routers: the database, paging and claim filters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from app.api.problems import BadParameter
from app.db import Database
from app.services.claim_filters import ClaimFilters
from app.services.search import query as search_query
from app.services.search.query import Node

MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 200


# The dependencies below do no I/O: `async def` runs them on the event loop, where a plain `def` costs
# each request one hop to the thread pool per dependency (measured: 1,790 -> see docs/performance.md).
async def get_database(request: Request) -> Database:
    """The process's Database, built once by create_app."""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]


def database_of(request: Request) -> Database:
    """The process's Database, for the hottest routes: without a dependency FastAPI must solve for each
    request (which costs more than the lookup)."""
    database: Database = request.app.state.database
    return database


LimitParam = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="`meta.next_cursor` of the previous page; omit for the first page."),
]


# PostgreSQL text cannot hold NUL, and no engine stores a lone surrogate as UTF-8.
_UNSTORABLE = re.compile("[\x00-\x1f\ud800-\udfff]")


def _unstorable(value: str) -> bool:
    return _UNSTORABLE.search(value) is not None


def check_text(location: str, value: str) -> str:
    """Refuse text that is too long or that no engine stores faithfully (control characters)."""
    if len(value) > MAX_VALUE_LENGTH:
        raise BadParameter(location, f"longer than {MAX_VALUE_LENGTH} characters")
    if _unstorable(value):
        raise BadParameter(location, "contains a control character or an unpaired surrogate")
    return value


def unstorable_location(path_params: Mapping[str, object], query: Iterable[tuple[str, str]]) -> str | None:
    """Where a path or query value holds text no engine stores faithfully (`path.claim_id`,
    `query.theme`), or None: no such value reaches a service or an engine."""
    for name, value in path_params.items():
        if isinstance(value, str) and _unstorable(value):
            return f"path.{name}"
    for name, value in query:
        if _unstorable(value) or _unstorable(name):
            return f"query.{name}"
    return None


def split_values(location: str, values: list[str] | None, *, lower: bool = True) -> list[str]:
    """Values from repeated and comma-separated parameters, trimmed, de-duplicated, in order."""
    found: list[str] = []
    for value in values or []:
        for part in value.split(","):
            item = check_text(location, part.strip())
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


QueryParam = Annotated[
    str | None,
    Query(
        max_length=search_query.MAX_QUERY_LENGTH,
        description='Full-text query: words (all must match), "a phrase", prefix*, AND, OR, NOT or -word, '
        "parentheses. Stemmed, case-, accent- and apostrophe-insensitive.",
    ),
]
SortParam = Annotated[
    Literal["relevance", "position"] | None,
    Query(description="`relevance` (best match first; the default with `q`) or `position` (document order)."),
]


def _filter_param(description: str) -> object:
    return Query(description=description + " Repeat the parameter or separate values with commas (OR).")


async def claim_filters(
    theme: Annotated[list[str] | None, _filter_param("Theme slugs.")] = None,
    entity: Annotated[list[str] | None, _filter_param("Entity slugs, names or aliases, any case.")] = None,
    document: Annotated[list[str] | None, _filter_param("Document ids.")] = None,
    kind: Annotated[list[str] | None, _filter_param("fact, opinion, prediction or recommendation.")] = None,
    q: QueryParam = None,
    sort: SortParam = None,
) -> ClaimFilters:
    """Claim filters from the query string; different filters are AND'ed."""
    return filters_from(theme, entity, document, kind, q, sort)


def filters_from(
    theme: list[str] | None,
    entity: list[str] | None,
    document: list[str] | None,
    kind: list[str] | None,
    q: str | None,
    sort: Literal["relevance", "position"] | None,
) -> ClaimFilters:
    """Claim filters from parameter values (checked, split, de-duplicated); raises BadParameter."""
    query = parse_query("query.q", q) if q is not None else None
    return ClaimFilters(
        themes=split_values("query.theme", theme),
        entities=split_values("query.entity", entity, lower=False),
        documents=split_values("query.document", document, lower=False),
        kinds=split_values("query.kind", kind),
        query=query,
        sort=sort or ("relevance" if query is not None else "position"),
    )


ClaimFiltersDep = Annotated[ClaimFilters, Depends(claim_filters)]
