"""Hand-written argument parsers for the hottest read routes (see `app.api.routing`).

FastAPI re-derives each parameter's shape and validates it one by one on every request: for a claim
list, with nine query parameters, that was a third of the request's CPU. These parsers read the query
string once and handle only plain requests — each parameter at most once, non-empty, within its
documented bounds. Anything else (a repeated `limit`, `limit=0`, an over-long cursor, a missing `q`)
returns None and FastAPI parses the request as usual, so errors answer exactly as documented.
`tests/api/test_fast_arguments.py` checks that both paths give the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request

from app.api.deps import database_of, filters_from
from app.api.formats import FORMATS, negotiate
from app.services.search.query import MAX_QUERY_LENGTH

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_CURSOR_LENGTH = 512
SORTS = ("relevance", "position")


class _Unhandled(Exception):
    """Left to FastAPI."""


def query_values(request: Request) -> dict[str, list[str]]:
    """The query's values by name, as `request.query_params` has them."""
    query = request.scope["query_string"].decode("latin-1")
    if "%" in query or "+" in query:
        pairs = request.query_params.multi_items()
    else:
        # Nothing to unescape: Starlette's parse (urllib's parse_qsl, blank values kept) is this split.
        pairs = [part.partition("=")[::2] for part in query.split("&") if part]
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    return found


def _single(values: dict[str, list[str]], name: str, max_length: int) -> str | None:
    given = values.get(name)
    if given is None:
        return None
    if len(given) != 1 or not given[0] or len(given[0]) > max_length:
        raise _Unhandled
    return given[0]


def _choice(values: dict[str, list[str]], name: str, choices: Sequence[str]) -> Any:
    given = _single(values, name, 20)
    if given is not None and given not in choices:
        raise _Unhandled
    return given


def _limit(values: dict[str, list[str]]) -> int:
    given = _single(values, "limit", 3)
    if given is None:
        return DEFAULT_LIMIT
    if not (given.isascii() and given.isdigit() and 1 <= int(given) <= MAX_LIMIT):
        raise _Unhandled
    return int(given)


def claim_list(request: Request) -> dict[str, Any] | None:
    """`GET /v1/claims`: request, database, filters, fmt, limit, cursor — or None."""
    try:
        values = query_values(request)
        limit = _limit(values)
        cursor = _single(values, "cursor", MAX_CURSOR_LENGTH)
        q = _single(values, "q", MAX_QUERY_LENGTH)
        sort = _choice(values, "sort", SORTS)
        fmt = _choice(values, "format", FORMATS) or negotiate(request.headers.get("accept"))
    except _Unhandled:
        return None
    # Checked after the bounds above, as FastAPI would: it raises BadParameter itself, as the dependency does.
    filters = filters_from(
        values.get("theme"), values.get("entity"), values.get("document"), values.get("kind"), q, sort
    )
    database = database_of(request)
    return {
        "request": request,
        "database": database,
        "filters": filters,
        "fmt": fmt,
        "limit": limit,
        "cursor": cursor,
    }


def claim(request: Request) -> dict[str, Any] | None:
    """`GET /v1/claims/{claim_id}`: request, claim_id — or None."""
    claim_id: str = request.path_params["claim_id"]
    return {"request": request, "claim_id": claim_id} if len(claim_id) <= 100 else None


def entity(request: Request) -> dict[str, Any] | None:
    """`GET /v1/entities/{key}`: request, key — or None."""
    key: str = request.path_params["key"]
    return {"request": request, "key": key} if len(key) <= 200 else None


def search(request: Request) -> dict[str, Any] | None:
    """`GET /v1/search`: database, q, type, limit, cursor — or None."""
    try:
        values = query_values(request)
        q = _single(values, "q", MAX_QUERY_LENGTH)
        if q is None:
            raise _Unhandled
        limit = _limit(values)
        cursor = _single(values, "cursor", MAX_CURSOR_LENGTH)
    except _Unhandled:
        return None
    database = database_of(request)
    return {"database": database, "q": q, "type": values.get("type"), "limit": limit, "cursor": cursor}
