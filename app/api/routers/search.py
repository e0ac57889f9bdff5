"""/v1/search and /v1/autocomplete: find anything by the words a user types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import DatabaseDep, parse_query, split_values
from app.api.openapi import INVALID, ok, responses
from app.api.params import DEFAULT_LIMIT, MAX_FILTER_VALUES, Cursor, Limit, choices, text
from app.api.query_models import QueryModel
from app.api.reading import run_read
from app.api.route_class import ApiRoute
from app.models import SEARCH_KINDS
from app.schemas.common import Page, Schema
from app.schemas.search import SearchHit, Suggestion
from app.services.search import hits, suggestions
from app.services.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/v1", tags=["search"], route_class=ApiRoute)


class Suggestions(Schema):
    """Autocomplete suggestions, best first."""

    data: list[Suggestion]


class SearchQuery(BaseModel):
    """What to search for, in which kinds of resource, and the page."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: Annotated[str, text(MAX_QUERY_LENGTH, min_length=1)] = Field(
        description='Words (all must match), "a phrase", prefix*, AND, OR, NOT or -word, parentheses.'
    )
    type: list[Annotated[str, text(100, pattern=choices(SEARCH_KINDS))]] | None = Field(
        default=None,
        max_length=MAX_FILTER_VALUES,
        description="claim, entity or theme; repeat or comma-separate (default: all).",
    )
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


SEARCH_QUERY = QueryModel(SearchQuery)


@router.get(
    "/search",
    summary="Search everything",
    response_model=Page[SearchHit],
    responses=responses("search", INVALID),
    openapi_extra=SEARCH_QUERY.openapi_extra(),
)
async def search(database: DatabaseDep, query: Annotated[SearchQuery, Depends(SEARCH_QUERY)]) -> Response:
    """Ranked claims, entities and themes matching `q`, each with a highlighted snippet.

    Matching is stemmed ("freelancers" finds "freelancing") and insensitive to case, accents and
    apostrophe style. Snippets are HTML-escaped with the matched words in `<mark>`.
    """
    kinds = split_values("query.type", query.type)
    parsed = parse_query("query.q", query.q)
    found = await run_read(
        database, hits.search_json, database, parsed, kinds=kinds, limit=query.limit, cursor=query.cursor
    )
    return Response(found, media_type=JSONResponse.media_type)


@router.get("/autocomplete", summary="Suggest entities and themes", responses=ok("autocomplete") | INVALID)
async def autocomplete(
    database: DatabaseDep,
    q: Annotated[str, text(100, min_length=1), Query(description="What has been typed so far.")],
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many suggestions.")] = 8,
) -> Suggestions:
    """Entities and themes whose name, slug or alias (or a word of it) starts with `q`, most-cited first."""
    return Suggestions(data=await run_read(database, suggestions.suggest, database, q, limit=limit))
