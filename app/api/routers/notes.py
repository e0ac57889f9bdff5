"""Context notes one by one: list and add them on a claim, read, edit and delete them at /v1/notes/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from app.api.deps import DatabaseDep
from app.api.etags import IfMatch, tagged
from app.api.openapi import NOT_FOUND, responses
from app.api.params import ClaimId, CursorParam, LimitParam
from app.api.reading import run_read
from app.api.route_class import ApiRoute
from app.api.write_docs import EDITS, GONE, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.common import Page
from app.schemas.notes import NotePublic
from app.schemas.writes import NoteCreate, NotePatch
from app.services import notes
from app.services.writes import notes as note_writes

router = APIRouter(tags=["context notes"], route_class=ApiRoute)

NoteId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The note's id, from the claim's context list.")]


@router.get(
    "/v1/claims/{claim_id}/context",
    summary="List a claim's context notes",
    responses=responses("notes_page", NOT_FOUND),
)
async def list_notes(
    database: DatabaseDep, claim_id: ClaimId, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[NotePublic]:
    """The claim's context notes in order, each with the `id` that reads, edits and deletes it."""
    return await run_read(database, notes.list_notes, database, claim_id, limit=limit, cursor=cursor)


@router.post(
    "/v1/claims/{claim_id}/context", **write_route(201, "Add a context note", "note", NOT_FOUND, GONE)
)
async def create_note(
    writer: WriterDep,
    claim_id: ClaimId,
    body: Annotated[NoteCreate, Body(openapi_examples=body_examples("note_create"))],
) -> NotePublic:
    """Add what another source says about the claim, citing at least one source. Needs scope `write`."""
    created = await writer.quick_write(note_writes.create_note, claim_id, body)
    return writer.answer(created, location=f"/v1/notes/{created.key}")


@router.get("/v1/notes/{note_id}", summary="Get a context note", responses=responses("note", NOT_FOUND))
async def get_note(database: DatabaseDep, response: Response, note_id: NoteId) -> NotePublic:
    """One context note, with its ETag for editing it (410 once deleted)."""
    return tagged(response, await run_read(database, notes.read_note, database, note_id))


@router.patch("/v1/notes/{note_id}", **write_route(200, "Edit a context note", "note", *EDITS))
async def update_note(
    writer: WriterDep, note_id: NoteId, body: NotePatch, if_match: IfMatch = None
) -> NotePublic:
    """Change a note's text or its sources (the list is replaced). Needs `If-Match` and scope `write`."""
    return writer.answer(await writer.quick_write(note_writes.update_note, note_id, if_match, body))


@router.delete("/v1/notes/{note_id}", **write_route(204, "Delete a context note", None, *EDITS))
async def delete_note(writer: WriterDep, note_id: NoteId, if_match: IfMatch = None) -> Response:
    """Remove a note from its claim; it stays in the claim's history. Needs `If-Match` and scope `write`."""
    await writer.quick_write(note_writes.delete_note, note_id, if_match)
    return Response(status_code=204)
