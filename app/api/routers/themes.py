"""/v1/themes: the ideas claims are grouped by, and each theme's claims."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import tagged
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import ClaimListParams, CursorParam, LimitParam, ThemeSlug
from app.api.reading import run_read
from app.api.write_docs import GONE
from app.schemas.common import Page
from app.schemas.themes import ThemePublic
from app.services import themes

router = APIRouter(prefix="/v1/themes", tags=["themes"])


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


@router.get("/{slug}/claims", summary="List a theme's claims", **nested_claim_list_docs())
async def list_theme_claims(
    request: Request, database: DatabaseDep, slug: ThemeSlug, query: ClaimListParams
) -> Response:
    """The claims concerning this theme, with the same filters, paging and formats as `GET /v1/claims`."""
    return await answer_claim_list(request, database, query, claim_filters(query, scope_theme=slug))
