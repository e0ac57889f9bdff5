"""/v1/entities: the companies, places, groups and segments claims are about."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api import fast_arguments as fast
from app.api import formats
from app.api.deps import (
    ClaimFiltersDep,
    CursorParam,
    DatabaseDep,
    LimitParam,
    check_text,
    database_of,
    split_values,
)
from app.api.etags import tagged_json
from app.api.formats import ClaimFormatDep, claim_list_responses
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.reading import run_read
from app.api.routing import ApiRoute, fast_arguments
from app.api.write_docs import GONE
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page
from app.schemas.entities import EntityPublic
from app.schemas.relations import EntityRelations
from app.services import entities, relations

router = APIRouter(prefix="/v1/entities", tags=["entities"], route_class=ApiRoute)

EntityKey = Annotated[
    str,
    Path(max_length=200, description="Slug, name or any alias, case-insensitively: `careem`, `Daraz.pk`."),
]


@router.get("", summary="List entities", responses=responses("entities_page", INVALID))
async def list_entities(
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
    return await run_read(
        database, entities.list_entities, database, types=types, q=prefix, limit=limit, cursor=cursor
    )


@router.get(
    "/{key}",
    summary="Get an entity",
    response_model=EntityPublic,
    responses=responses("entity", NOT_FOUND, GONE),
)
@fast_arguments(fast.entity)
async def get_entity(request: Request, key: EntityKey) -> Response:
    """One entity, found by slug, name or alias in any case; the ETag names its revision."""
    database = database_of(request)
    entity = await run_read(database, entities.read_entity, database, check_text("path.key", key))
    return tagged_json(entity)


@router.get(
    "/{key}/claims",
    summary="List an entity's claims",
    response_model=Page[ClaimPublic],
    responses=claim_list_responses(NOT_FOUND, INVALID),
)
async def list_entity_claims(
    request: Request,
    database: DatabaseDep,
    key: EntityKey,
    filters: ClaimFiltersDep,
    fmt: ClaimFormatDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[ClaimPublic] | Response:
    """The claims naming this entity, with the same filters, paging and formats as `GET /v1/claims`."""
    scoped = replace(filters, scope_entity=check_text("path.key", key))
    return await run_read(
        database, formats.claim_list, request, database, scoped, fmt, limit=limit, cursor=cursor
    )


@router.get("/{key}/related", summary="Get an entity's relations", responses=responses("related", NOT_FOUND))
async def get_entity_relations(database: DatabaseDep, key: EntityKey) -> EntityRelations:
    """The entities named in the same claims as this one, and the themes of its claims, with the claims.

    Each related entity and theme has `count`, the number of claims linking it to this entity, and
    `claim_ids`, those claims in document order (what walking `GET /v1/entities/{key}/claims` finds).
    Both lists are ordered by count, largest first, then by name.
    """
    return await run_read(database, relations.related, database, check_text("path.key", key))
