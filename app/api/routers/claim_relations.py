"""Claim relations: list them by claim and type, relate two claims, read, edit and delete a relation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.api.deps import DatabaseDep, split_values
from app.api.etags import IfMatch, tagged
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import ClaimIdsParam, CursorParam, LimitParam, RelationId, RelationTypesParam
from app.api.reading import run_read
from app.api.route_class import ApiRoute
from app.api.write_docs import CONFLICT, EDITS, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.claim_relations import RelationPublic
from app.schemas.common import Page
from app.schemas.writes import RelationCreate, RelationPatch
from app.services import claim_relations
from app.services.writes import relations as relation_writes

router = APIRouter(tags=["claim relations"], route_class=ApiRoute)


@router.get("/v1/relations", summary="List claim relations", responses=responses("relations_page", INVALID))
async def list_relations(
    database: DatabaseDep,
    claim: ClaimIdsParam = None,
    type: RelationTypesParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[RelationPublic]:
    """Relations between claims, oldest first: those of the given claims (as subject or object) and
    types; an unknown claim answers 422 naming it."""
    claims = split_values("query.claim", claim, lower=False)
    types = split_values("query.type", type)
    return await run_read(
        database,
        claim_relations.list_relations,
        database,
        claims=claims,
        types=types,
        limit=limit,
        cursor=cursor,
    )


@router.post("/v1/relations", **write_route(201, "Relate two claims", "relation", CONFLICT))
async def create_relation(
    writer: WriterDep,
    body: Annotated[RelationCreate, Body(openapi_examples=body_examples("relation_create"))],
) -> RelationPublic:
    """Record how the subject claim bears on the object claim, with a note. Needs scope `write`."""
    created = await writer.quick_write(relation_writes.create_relation, body)
    return writer.answer(created, location=f"/v1/relations/{created.key}")


@router.get(
    "/v1/relations/{relation_id}", summary="Get a claim relation", responses=responses("relation", NOT_FOUND)
)
async def get_relation(database: DatabaseDep, response: Response, relation_id: RelationId) -> RelationPublic:
    """One relation, with its ETag for editing it (410 once deleted)."""
    return tagged(response, await run_read(database, claim_relations.read_relation, database, relation_id))


@router.patch(
    "/v1/relations/{relation_id}",
    **write_route(200, "Edit a claim relation", "relation", CONFLICT, *EDITS),
)
async def update_relation(
    writer: WriterDep, relation_id: RelationId, body: RelationPatch, if_match: IfMatch = None
) -> RelationPublic:
    """Change a relation's type or note. Needs `If-Match` and scope `write`."""
    updated = await writer.quick_write(relation_writes.update_relation, relation_id, if_match, body)
    return writer.answer(updated)


@router.delete("/v1/relations/{relation_id}", **write_route(204, "Delete a claim relation", None, *EDITS))
async def delete_relation(writer: WriterDep, relation_id: RelationId, if_match: IfMatch = None) -> Response:
    """Remove a relation; it stays in its subject claim's history. Needs `If-Match` and scope `write`."""
    await writer.quick_write(relation_writes.delete_relation, relation_id, if_match)
    return Response(status_code=204)
