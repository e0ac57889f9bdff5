"""/v1/themes: the ideas claims are grouped by, each theme's claims, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.api.auth import AdminKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import IfMatch
from app.api.params import ThemeSlug
from app.api.resource_reads import ResourceReads, add_resource_reads
from app.api.route_class import ApiRoute
from app.api.write_docs import CONFLICT, CURATION, EDITS, body_examples, write_route
from app.api.writing import WriterDep, run_write
from app.schemas.common import Page
from app.schemas.themes import ThemePublic
from app.schemas.writes import ThemeCreate, ThemePatch
from app.services import themes
from app.services.writes import themes as theme_writes

router = APIRouter(prefix="/v1/themes", route_class=ApiRoute)
TAGS: list[str | Enum] = ["themes"]


READS = ResourceReads("theme", "slug", ThemeSlug, ThemePublic, themes.read_theme, deletable=True)
READ_DOCS = """
list: Themes in the order the source introduces them, each with its number of claims.
get: One theme with its description and number of claims; the ETag names its revision.
claims: The claims concerning this theme
"""
add_resource_reads(router, TAGS, READS, READ_DOCS, listing=(themes.list_themes, Page[ThemePublic]))


@router.post("", tags=CURATION, **write_route(201, "Create a theme", "theme", CONFLICT))
async def create_theme(
    writer: WriterDep, body: Annotated[ThemeCreate, Body(openapi_examples=body_examples("theme_create"))]
) -> ThemePublic:
    """Add a theme, listed after the existing ones; its slug is its permanent id (409 if taken)."""
    created = await writer.write(theme_writes.create_theme, body)
    return writer.answer(created, location=f"/v1/themes/{created.key}")


@router.patch("/{slug}", tags=CURATION, **write_route(200, "Edit a theme", "theme", *EDITS))
async def update_theme(
    writer: WriterDep, slug: ThemeSlug, body: ThemePatch, if_match: IfMatch = None
) -> ThemePublic:
    """Change a theme's name or description (its slug stays). Needs `If-Match` and scope `write`."""
    return writer.answer(await writer.write(theme_writes.update_theme, slug, if_match, body))


@router.delete("/{slug}", tags=CURATION, **write_route(204, "Delete a theme", None, CONFLICT, *EDITS))
async def delete_theme(
    key: AdminKey, database: DatabaseDep, slug: ThemeSlug, if_match: IfMatch = None
) -> Response:
    """Delete a theme that no claim carries (409 while claims do). Needs `If-Match` and scope `admin`."""
    await run_write(database, theme_writes.delete_theme, database, actor(key), slug, if_match)
    return Response(status_code=204)
