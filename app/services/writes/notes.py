"""Context notes: what other sources say about a claim, added, corrected and removed one at a time."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from app.db import Database
from app.schemas.notes import NotePublic
from app.schemas.writes import NoteCreate, NotePatch
from app.services import revisioned
from app.services.notes import current_note, require_claim
from app.services.tables import CONTEXT_NOTE
from app.services.writes.history import record
from app.services.writes.revisions import Current, bump, check_if_match, require_if_match
from app.services.writes.transaction import Actor, Unchanged, writing


def create_note_on(
    connection: Connection, actor: Actor, claim_id: str, body: NoteCreate
) -> Current[NotePublic]:
    """Add a note after the claim's others, inside an open write transaction."""
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
    created = current_note(connection, note_id)
    assert created is not None
    record(connection, actor, "create", None, created, claim_id=claim_id)
    return created


def create_note(database: Database, actor: Actor, claim_id: str, body: NoteCreate) -> Current[NotePublic]:
    """Add a context note to a claim."""
    with writing(database) as connection:
        return create_note_on(connection, actor, claim_id, body)


def _load(connection: Connection, note_id: int, if_match: str) -> Current[NotePublic]:
    before = current_note(connection, note_id)
    if before is None:
        raise revisioned.missing(connection, "note", str(note_id))
    check_if_match(if_match, before)
    return before


def update_note(
    database: Database, actor: Actor, note_id: int, if_match: str | None, body: NotePatch
) -> Current[NotePublic]:
    """Merge-patch a note at the revision If-Match names."""
    if_match = require_if_match(if_match)
    try:
        with writing(database) as connection:
            before = _load(connection, note_id, if_match)
            values = body.changes()
            if "sources" in values:
                values["sources"] = [source.model_dump() for source in body.sources or []]
            bump(connection, CONTEXT_NOTE, CONTEXT_NOTE.c.id == note_id, before, values)
            changed = current_note(connection, note_id)
            assert changed is not None
            if changed.public == before.public:
                raise Unchanged(before)
            record(connection, actor, "update", before, changed, claim_id=before.public.claim_id)
            return changed
    except Unchanged as unchanged:
        kept: Current[NotePublic] = unchanged.current
        return kept


def delete_note(database: Database, actor: Actor, note_id: int, if_match: str | None) -> None:
    """Remove a note; it stays in its claim's history."""
    if_match = require_if_match(if_match)
    with writing(database) as connection:
        before = _load(connection, note_id, if_match)
        connection.execute(
            delete(CONTEXT_NOTE).where(
                CONTEXT_NOTE.c.id == note_id, CONTEXT_NOTE.c.revision == before.revision
            )
        )
        record(connection, actor, "delete", before, None, claim_id=before.public.claim_id)
