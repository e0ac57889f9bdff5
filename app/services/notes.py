"""Context notes as the API answers them: one by its id, or a claim's in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from app.db import Database
from app.models import MAX_ROW_ID
from app.schemas.claims import Source
from app.schemas.common import Page, PageMeta
from app.schemas.notes import NotePublic
from app.services import revisioned
from app.services.claims import claim_exists
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.tables import CONTEXT_NOTE
from app.services.writes.revisions import Current

NOTE_ORDER = (CONTEXT_NOTE.c.position, CONTEXT_NOTE.c.id)


def note_public(row: Any) -> NotePublic:
    """A context_note row as the API answers it."""
    sources = [Source.model_validate(source) for source in row.sources]
    return NotePublic(id=row.id, claim_id=row.claim_id, note=row.note, sources=sources)


def current_note(connection: Connection, note_id: int) -> Current[NotePublic] | None:
    """The context note with this id, with its revision, or None."""
    if note_id > MAX_ROW_ID:  # PostgreSQL's INTEGER would refuse to compare (a 500): no such note exists
        return None
    row = connection.execute(select(CONTEXT_NOTE).where(CONTEXT_NOTE.c.id == note_id)).one_or_none()
    return None if row is None else Current("note", str(row.id), row.revision, note_public(row))


def read_note(database: Database, note_id: int) -> Current[NotePublic]:
    """A context note for GET; raises Gone (410) for a deleted one, NotFound for one that never existed."""
    return revisioned.read(database, "note", note_id, current_note)


def require_claim(connection: Connection, claim_id: str) -> None:
    """Raise Gone (410) or NotFound unless the claim exists."""
    if not claim_exists(connection, claim_id):
        raise revisioned.missing(connection, "claim", claim_id)


def list_notes(
    database: Database, claim_id: str, *, limit: int, cursor: str | None = None
) -> Page[NotePublic]:
    """A claim's context notes in order, each with the id that edits it."""
    key = decode_cursor("notes", cursor, (int, int)) if cursor else None
    where = CONTEXT_NOTE.c.claim_id == claim_id
    with database.read() as connection:
        require_claim(connection, claim_id)
        total = connection.execute(select(func.count()).select_from(CONTEXT_NOTE).where(where)).scalar_one()
        page = select(CONTEXT_NOTE).where(where).order_by(*NOTE_ORDER).limit(limit + 1)
        if key is not None:
            page = after(page, NOTE_ORDER, key)
        rows = connection.execute(page).all()
    next_cursor = (
        encode_cursor("notes", [rows[limit - 1].position, rows[limit - 1].id]) if len(rows) > limit else None
    )
    data = [note_public(row) for row in rows[:limit]]
    return Page[NotePublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def every_note(connection: Connection) -> Iterator[NotePublic]:
    """Every context note as the API answers it, by claim then in order (for a snapshot)."""
    ordered = select(CONTEXT_NOTE).order_by(CONTEXT_NOTE.c.claim_id, *NOTE_ORDER)
    for row in connection.execute(ordered):
        yield note_public(row)
