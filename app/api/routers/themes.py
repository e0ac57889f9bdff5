"""/v1/themes: the ideas claims are grouped by, each theme's claims, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from app.api.auth import AdminKey, actor
from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import IfMatch, tagged_json
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, read_route, responses
from app.api.params import ClaimListParams, CursorParam, LimitParam, ThemeSlug
from app.api.reading import run_read
from app.api.write_docs import CONFLICT, CURATION, EDITS, GONE, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.common import Page
from app.schemas.themes import ThemePublic
from app.schemas.writes import ThemeCreate, ThemePatch
from app.services import themes
from app.services.writes import themes as theme_writes

router = APIRouter(prefix="/v1/themes")
TAGS: list[str | Enum] = ["themes"]


@router.get("", tags=TAGS, summary="List themes", responses=responses("themes_page", INVALID))
async def list_themes(
    database: DatabaseDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ThemePublic]:
    """Themes in the order the source introduces them, each with its number of claims."""
    return await run_read(database, themes.list_themes, database, limit=limit, cursor=cursor)


@router.get("/{slug}", tags=TAGS, **read_route("Get a theme", "theme", NOT_FOUND, GONE, model=ThemePublic))
async def get_theme(database: DatabaseDep, slug: ThemeSlug) -> Response:
    """One theme with its description and number of claims; the ETag names its revision."""
    return tagged_json(await run_read(database, themes.read_theme, database, slug))


@router.get("/{slug}/claims", tags=TAGS, summary="List a theme's claims", **nested_claim_list_docs())
async def list_theme_claims(
    request: Request, database: DatabaseDep, slug: ThemeSlug, query: ClaimListParams
) -> Response:
    """The claims concerning this theme, with the same filters, paging and formats as `GET /v1/claims`."""
    return await answer_claim_list(request, database, query, claim_filters(query, scope_theme=slug))


@router.post("", tags=CURATION, **write_route(201, "Create a theme", "theme", CONFLICT))
def create_theme(
    writer: WriterDep, body: Annotated[ThemeCreate, Body(openapi_examples=body_examples("theme_create"))]
) -> ThemePublic:
    """Add a theme, listed after the existing ones; its slug is its permanent id (409 if taken)."""
    created = theme_writes.create_theme(writer.database, writer.actor, body)
    return writer.answer(created, location=f"/v1/themes/{created.key}")


@router.patch("/{slug}", tags=CURATION, **write_route(200, "Edit a theme", "theme", *EDITS))
def update_theme(
    writer: WriterDep, slug: ThemeSlug, body: ThemePatch, if_match: IfMatch = None
) -> ThemePublic:
    """Change a theme's name or description (its slug stays). Needs `If-Match` and scope `write`."""
    return writer.answer(theme_writes.update_theme(writer.database, writer.actor, slug, if_match, body))


@router.delete("/{slug}", tags=CURATION, **write_route(204, "Delete a theme", None, CONFLICT, *EDITS))
def delete_theme(key: AdminKey, database: DatabaseDep, slug: ThemeSlug, if_match: IfMatch = None) -> Response:
    """Delete a theme that no claim carries (409 while claims do). Needs `If-Match` and scope `admin`."""
    theme_writes.delete_theme(database, actor(key), slug, if_match)
    return Response(status_code=204)
