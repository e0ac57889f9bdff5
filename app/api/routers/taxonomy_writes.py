"""Curating themes and entities: POST, PATCH and DELETE on /v1/themes and /v1/entities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from app.api.auth import AdminKey, WriteKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import IfMatch, tagged
from app.api.params import EntityKey, ThemeSlug
from app.api.write_docs import (
    CONFLICT,
    GONE,
    NOT_FOUND,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    write_responses,
)
from app.schemas.entities import EntityPublic
from app.schemas.themes import ThemePublic
from app.schemas.writes import EntityCreate, EntityPatch, ThemeCreate, ThemePatch
from app.services.writes import entities, themes

router = APIRouter(tags=["curation"])

EDITS = (NOT_FOUND, GONE, PRECONDITION_FAILED, PRECONDITION_REQUIRED)

THEME_EXAMPLE: dict[str, Any] = {
    "new": {
        "summary": "A new theme",
        "value": {
            "slug": "digital-payments",
            "name": "Digital payments",
            "description": "Mobile wallets, branchless banking and the rails that carry them.",
        },
    }
}
ENTITY_EXAMPLE: dict[str, Any] = {
    "new": {
        "summary": "A new entity with an alias",
        "value": {
            "slug": "pakistan-software-export-board",
            "name": "Pakistan Software Export Board",
            "type": "government",
            "description": "Government body that promotes Pakistan's software and IT services exports.",
            "aliases": ["PSEB"],
            "external_ids": {},
        },
    }
}


@router.post(
    "/v1/themes", status_code=201, summary="Create a theme", responses=write_responses(201, "theme", CONFLICT)
)
def create_theme(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    body: Annotated[ThemeCreate, Body(openapi_examples=THEME_EXAMPLE)],
) -> ThemePublic:
    """Add a theme, listed after the existing ones; its slug is its permanent id (409 if taken)."""
    created = themes.create_theme(database, actor(key), body)
    return tagged(response, created, location=f"/v1/themes/{created.key}")


@router.patch("/v1/themes/{slug}", summary="Edit a theme", responses=write_responses(200, "theme", *EDITS))
def update_theme(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    slug: ThemeSlug,
    body: ThemePatch,
    if_match: IfMatch = None,
) -> ThemePublic:
    """Change a theme's name or description (its slug stays). Needs `If-Match` and scope `write`."""
    return tagged(response, themes.update_theme(database, actor(key), slug, if_match, body))


@router.delete(
    "/v1/themes/{slug}",
    status_code=204,
    response_class=Response,
    summary="Delete a theme",
    responses=write_responses(204, None, CONFLICT, *EDITS),
)
def delete_theme(key: AdminKey, database: DatabaseDep, slug: ThemeSlug, if_match: IfMatch = None) -> Response:
    """Delete a theme that no claim carries (409 while claims do). Needs `If-Match` and scope `admin`."""
    themes.delete_theme(database, actor(key), slug, if_match)
    return Response(status_code=204)


@router.post(
    "/v1/entities",
    status_code=201,
    summary="Create an entity",
    responses=write_responses(201, "entity", CONFLICT),
)
def create_entity(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    body: Annotated[EntityCreate, Body(openapi_examples=ENTITY_EXAMPLE)],
) -> EntityPublic:
    """Add an entity with its aliases and external ids.

    Every slug, name and alias must name one entity, case-insensitively: 409 if another entity already
    has one of them, 422 if an alias repeats the entity's own name. Needs scope `write`.
    """
    created = entities.create_entity(database, actor(key), body)
    return tagged(response, created, location=f"/v1/entities/{created.key}")


@router.patch(
    "/v1/entities/{key}",
    summary="Edit an entity",
    responses=write_responses(200, "entity", CONFLICT, *EDITS),
)
def update_entity(
    api_key: WriteKey,
    database: DatabaseDep,
    response: Response,
    key: EntityKey,
    body: EntityPatch,
    if_match: IfMatch = None,
) -> EntityPublic:
    """Change an entity's name, type, description, aliases or external ids (lists and maps are replaced).

    The entity is found by slug, name or alias; its slug stays. Needs `If-Match` and scope `write`.
    """
    updated = entities.update_entity(database, actor(api_key), key, if_match, body)
    return tagged(response, updated)


@router.delete(
    "/v1/entities/{key}",
    status_code=204,
    response_class=Response,
    summary="Delete an entity",
    responses=write_responses(204, None, CONFLICT, *EDITS),
)
def delete_entity(
    api_key: AdminKey, database: DatabaseDep, key: EntityKey, if_match: IfMatch = None
) -> Response:
    """Delete an entity that no claim names (409 while claims do). Needs `If-Match` and scope `admin`."""
    entities.delete_entity(database, actor(api_key), key, if_match)
    return Response(status_code=204)
