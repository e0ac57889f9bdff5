"""/v1/themes: the ideas claims are grouped by, and each theme's claims."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api import formats
from app.api.deps import ClaimFiltersDep, CursorParam, DatabaseDep, LimitParam
from app.api.etags import tagged
from app.api.formats import ClaimFormatDep, claim_list_responses
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.reading import run_read
from app.api.routing import ApiRoute
from app.api.write_docs import GONE
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page
from app.schemas.themes import ThemePublic
from app.services import themes

router = APIRouter(prefix="/v1/themes", tags=["themes"], route_class=ApiRoute)

ThemeSlug = Annotated[str, Path(max_length=100, description="A theme slug, e.g. `talent-workforce`.")]


@router.get("", summary="List themes", responses=responses("themes_page", INVALID))
async def list_themes(
    database: DatabaseDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ThemePublic]:
    """Themes in the order the source introduces them, each with its number of claims."""
    return await run_read(database, themes.list_themes, database, limit=limit, cursor=cursor)


@router.get("/{slug}", summary="Get a theme", responses=responses("theme", NOT_FOUND, GONE))
async def get_theme(database: DatabaseDep, response: Response, slug: ThemeSlug) -> ThemePublic:
    """One theme with its description and number of claims; the ETag names its revision."""
    return tagged(response, await run_read(database, themes.read_theme, database, slug))


@router.get(
    "/{slug}/claims",
    summary="List a theme's claims",
    response_model=Page[ClaimPublic],
    responses=claim_list_responses(NOT_FOUND, INVALID),
)
async def list_theme_claims(
    request: Request,
    database: DatabaseDep,
    slug: ThemeSlug,
    filters: ClaimFiltersDep,
    fmt: ClaimFormatDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[ClaimPublic] | Response:
    """The claims concerning this theme, with the same filters, paging and formats as `GET /v1/claims`."""
    scoped = replace(filters, scope_theme=slug)
    return await run_read(
        database, formats.claim_list, request, database, scoped, fmt, limit=limit, cursor=cursor
    )
