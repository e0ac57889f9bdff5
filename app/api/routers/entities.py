"""/v1/entities: the companies, places, groups and segments claims are about."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import ClaimFiltersDep, CursorParam, DatabaseDep, LimitParam, check_text, split_values
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page
from app.schemas.entities import EntityPublic
from app.services import claims, entities

router = APIRouter(prefix="/v1/entities", tags=["entities"])

EntityKey = Annotated[
    str,
    Path(max_length=200, description="Slug, name or any alias, case-insensitively: `careem`, `Daraz.pk`."),
]


@router.get("", summary="List entities", responses=responses("entities_page", INVALID))
def list_entities(
    database: DatabaseDep,
    type: Annotated[
        list[str] | None,
        Query(
            description="company, country, government, group, industry or facility; repeat or comma-separate."
        ),
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Prefix of a name, slug or alias.")] = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[EntityPublic]:
    """Entities by name, each with its aliases and number of claims; filter by type or name prefix."""
    types = split_values("query.type", type)
    prefix = check_text("query.q", q) if q is not None else None
    return entities.list_entities(database, types=types, q=prefix, limit=limit, cursor=cursor)


@router.get("/{key}", summary="Get an entity", responses=responses("entity", NOT_FOUND))
def get_entity(database: DatabaseDep, key: EntityKey) -> EntityPublic:
    """One entity, found by slug, name or alias in any case."""
    return entities.get_entity(database, check_text("path.key", key))


@router.get(
    "/{key}/claims",
    summary="List an entity's claims",
    responses=responses("claims_page", NOT_FOUND, INVALID),
)
def list_entity_claims(
    database: DatabaseDep,
    key: EntityKey,
    filters: ClaimFiltersDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[ClaimPublic]:
    """The claims naming this entity, with the same filters and paging as `GET /v1/claims`."""
    scoped = replace(filters, scope_entity=check_text("path.key", key))
    return claims.list_claims(database, scoped, limit=limit, cursor=cursor)
