"""Context notes: what other sources say about a claim, added, corrected and removed one at a time."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from app.db import Database
from app.schemas.notes import NotePublic
from app.schemas.writes import NoteCreate, NotePatch
from app.services.notes import current_note, require_claim
from app.services.tables import CONTEXT_NOTE
from app.services.writes import edits
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor, transacted


def _claim_of(note: NotePublic) -> str:
    return note.claim_id


# A note's changes are listed in its claim's history, and its claim's stored body shows it.
NOTES = edits.Editable(
    "note", CONTEXT_NOTE, "id", key_of=edits.numbered_key, find=current_note, claim_of=_claim_of
)


@transacted
def create_note(connection: Connection, actor: Actor, claim_id: str, body: NoteCreate) -> Current[NotePublic]:
    """Add a context note to a claim, after its others."""
    require_claim(connection, claim_id)
    position = connection.execute(
        select(func.coalesce(func.max(CONTEXT_NOTE.c.position), -1) + 1).where(
            CONTEXT_NOTE.c.claim_id == claim_id
        )
    ).scalar_one()
    sources = [source.model_dump() for source in body.sources]
    note_id = connection.execute(
        insert(CONTEXT_NOTE)
        .values(claim_id=claim_id, position=position, note=body.note, sources=sources)
        .returning(CONTEXT_NOTE.c.id)
    ).scalar_one()
    return NOTES.created(connection, actor, note_id)


def update_note(
    database: Database, actor: Actor, note_id: int, if_match: str | None, body: NotePatch
) -> Current[NotePublic]:
    """Merge-patch a note at the revision If-Match names."""
    values = body.changes()
    if "sources" in values:
        values["sources"] = [source.model_dump() for source in body.sources or []]
    return NOTES.update(database, actor, note_id, if_match, NOTES.assigning(values))


def delete_note(database: Database, actor: Actor, note_id: int, if_match: str | None) -> None:
    """Remove a note; it stays in its claim's history."""
    NOTES.delete(database, actor, note_id, if_match)
