"""/v1/entities: the companies, places, groups and segments claims are about."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import DatabaseDep, claim_filters, split_values
from app.api.etags import tagged_json
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import (
    MAX_FILTER_VALUES,
    ClaimListParams,
    CursorParam,
    EntityKey,
    FilterValues,
    LimitParam,
    Text,
)
from app.api.reading import run_read
from app.api.write_docs import GONE
from app.schemas.common import Page
from app.schemas.entities import EntityPublic
from app.schemas.relations import EntityRelations
from app.services import entities, relations

router = APIRouter(prefix="/v1/entities", tags=["entities"])


@router.get("", summary="List entities", responses=responses("entities_page", INVALID))
async def list_entities(
    database: DatabaseDep,
    type: Annotated[
        list[FilterValues] | None,
        Query(
            max_length=MAX_FILTER_VALUES,
            description="company, country, government, group, industry or facility; "
            "repeat or comma-separate.",
        ),
    ] = None,
    q: Annotated[Text | None, Query(description="Prefix of a name, slug or alias.")] = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[EntityPublic]:
    """Entities by name, each with its aliases and number of claims; filter by type or name prefix."""
    types = split_values("query.type", type)
    return await run_read(
        database, entities.list_entities, database, types=types, q=q, limit=limit, cursor=cursor
    )


@router.get(
    "/{key}",
    summary="Get an entity",
    response_model=EntityPublic,
    responses=responses("entity", NOT_FOUND, GONE),
)
async def get_entity(database: DatabaseDep, key: EntityKey) -> Response:
    """One entity, found by slug, name or alias in any case; the ETag names its revision."""
    return tagged_json(await run_read(database, entities.read_entity, database, key))


@router.get("/{key}/claims", summary="List an entity's claims", **nested_claim_list_docs())
async def list_entity_claims(
    request: Request, database: DatabaseDep, key: EntityKey, query: ClaimListParams
) -> Response:
    """The claims naming this entity, with the same filters, paging and formats as `GET /v1/claims`."""
    return await answer_claim_list(request, database, query, claim_filters(query, scope_entity=key))


@router.get("/{key}/related", summary="Get an entity's relations", responses=responses("related", NOT_FOUND))
async def get_entity_relations(database: DatabaseDep, key: EntityKey) -> EntityRelations:
    """The entities named in the same claims as this one, and the themes of its claims, with the claims.

    Each related entity and theme has `count`, the number of claims linking it to this entity, and
    `claim_ids`, those claims in document order (what walking `GET /v1/entities/{key}/claims` finds).
    Both lists are ordered by count, largest first, then by name.
    """
    return await run_read(database, relations.related, database, key)
