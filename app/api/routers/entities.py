"""/v1/entities: the companies, places, groups and segments claims are about, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from app.api.auth import AdminKey, actor
from app.api.deps import DatabaseDep, split_values
from app.api.etags import IfMatch
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import MAX_FILTER_VALUES, CursorParam, EntityKey, FilterValues, LimitParam, Text
from app.api.reading import run_read
from app.api.resource_reads import ResourceReads, add_resource_reads
from app.api.route_class import ApiRoute
from app.api.write_docs import CONFLICT, CURATION, EDITS, body_examples, write_route
from app.api.writing import WriterDep, run_write
from app.schemas.common import Page
from app.schemas.entities import EntityPublic
from app.schemas.relations import EntityRelations
from app.schemas.writes import EntityCreate, EntityPatch
from app.services import entities, relations
from app.services.writes import entities as entity_writes

router = APIRouter(prefix="/v1/entities", route_class=ApiRoute)
TAGS: list[str | Enum] = ["entities"]


@router.get("", tags=TAGS, summary="List entities", responses=responses("entities_page", INVALID))
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


READS = ResourceReads("entity", "key", EntityKey, EntityPublic, entities.read_entity, deletable=True)
READ_DOCS = """
get: One entity, found by slug, name or alias in any case; the ETag names its revision.
claims: The claims naming this entity
"""
add_resource_reads(router, TAGS, READS, READ_DOCS)


@router.get(
    "/{key}/related",
    tags=TAGS,
    summary="Get an entity's relations",
    responses=responses("related", NOT_FOUND),
)
async def get_entity_relations(database: DatabaseDep, key: EntityKey) -> EntityRelations:
    """The entities named in the same claims as this one, and the themes of its claims, with the claims.

    Each related entity and theme has `count`, the number of claims linking it to this entity, and
    `claim_ids`, those claims in document order (what walking `GET /v1/entities/{key}/claims` finds).
    Both lists are ordered by count, largest first, then by name.
    """
    return await run_read(database, relations.related, database, key)


@router.post("", tags=CURATION, **write_route(201, "Create an entity", "entity", CONFLICT))
async def create_entity(
    writer: WriterDep, body: Annotated[EntityCreate, Body(openapi_examples=body_examples("entity_create"))]
) -> EntityPublic:
    """Add an entity with its aliases and external ids.

    Every slug, name and alias must name one entity, case-insensitively: 409 if another entity already
    has one of them, 422 if an alias repeats the entity's own name. Needs scope `write`.
    """
    created = await writer.write(entity_writes.create_entity, body)
    return writer.answer(created, location=f"/v1/entities/{created.key}")


@router.patch("/{key}", tags=CURATION, **write_route(200, "Edit an entity", "entity", CONFLICT, *EDITS))
async def update_entity(
    writer: WriterDep, key: EntityKey, body: EntityPatch, if_match: IfMatch = None
) -> EntityPublic:
    """Change an entity's name, type, description, aliases or external ids (lists and maps are replaced).

    The entity is found by slug, name or alias; its slug stays. Needs `If-Match` and scope `write`.
    """
    return writer.answer(await writer.write(entity_writes.update_entity, key, if_match, body))


@router.delete("/{key}", tags=CURATION, **write_route(204, "Delete an entity", None, CONFLICT, *EDITS))
async def delete_entity(
    api_key: AdminKey, database: DatabaseDep, key: EntityKey, if_match: IfMatch = None
) -> Response:
    """Delete an entity that no claim names (409 while claims do). Needs `If-Match` and scope `admin`."""
    await run_write(database, entity_writes.delete_entity, database, actor(api_key), key, if_match)
    return Response(status_code=204)
