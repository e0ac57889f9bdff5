"""Each resource as it stands, with its revision: what writes compare If-Match with, and GETs tag."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, select

from app.db import Database
from app.schemas.claims import ClaimPublic, Source
from app.schemas.documents import DocumentPublic
from app.schemas.entities import EntityPublic
from app.schemas.notes import NotePublic
from app.schemas.themes import ThemePublic
from app.services.claims import claim_dicts, claims_json, claims_rows
from app.services.documents import document_by_id
from app.services.entities import entity_by_id, entity_ids_by_key
from app.services.errors import NotFound
from app.services.keys import lookup_key
from app.services.prepared import Prepared
from app.services.tables import CONTEXT_NOTE, DOCUMENT, ENTITY, THEME
from app.services.themes import theme_by_slug
from app.services.writes.errors import Gone
from app.services.writes.history import HISTORY_PATHS, last_change
from app.services.writes.revisions import Current, Rendered

PublicT = TypeVar("PublicT", bound=BaseModel)
KeyT = TypeVar("KeyT", str, int)
FoundT = TypeVar("FoundT", Current[Any], Rendered)


@cache
def _revision_of(table: Table, column: str) -> Prepared:
    return Prepared(select(table.c.revision).where(table.c[column] == bindparam("key")))


def _revision(connection: Connection, table: Table, column: str, key: Any) -> int | None:
    value = _revision_of(table, column).scalar(connection, key=key)
    return None if value is None else int(value)


def claim(connection: Connection, claim_id: str) -> Current[ClaimPublic] | None:
    """The claim with this id, or None."""
    rows = claims_rows(connection, [claim_id])
    if not rows:
        return None
    return Current("claim", claim_id, rows[0].revision, ClaimPublic.model_validate(claim_dicts(rows)[0]))


def claim_rendered(connection: Connection, claim_id: str) -> Rendered | None:
    """The claim with this id as its JSON body (the bytes `claim` would serialise), or None."""
    rows = claims_rows(connection, [claim_id])
    if not rows:
        return None
    body = orjson.dumps(claims_json(rows)[0])
    return Rendered("claim", claim_id, rows[0].revision, body)


def theme(connection: Connection, slug: str) -> Current[ThemePublic] | None:
    """The theme with this slug, or None."""
    revision = _revision(connection, THEME, "slug", slug)
    public = theme_by_slug(connection, slug)
    return None if revision is None or public is None else Current("theme", slug, revision, public)


def entity(connection: Connection, entity_id: int) -> Current[EntityPublic] | None:
    """The entity with this id, or None."""
    revision = _revision(connection, ENTITY, "id", entity_id)
    public = entity_by_id(connection, entity_id)
    return None if revision is None or public is None else Current("entity", public.slug, revision, public)


def document(connection: Connection, document_id: str) -> Current[DocumentPublic] | None:
    """The document with this id, or None."""
    revision = _revision(connection, DOCUMENT, "id", document_id)
    public = document_by_id(connection, document_id)
    return None if revision is None or public is None else Current("document", document_id, revision, public)


# The largest id a context_note row can have (the column is a 32-bit INTEGER on PostgreSQL).
MAX_NOTE_ID = 2**31 - 1


def note_public(row: Any) -> NotePublic:
    """A context_note row as the API answers it."""
    sources = [Source.model_validate(source) for source in row.sources]
    return NotePublic(id=row.id, claim_id=row.claim_id, note=row.note, sources=sources)


def note(connection: Connection, note_id: int) -> Current[NotePublic] | None:
    """The context note with this id, or None."""
    if note_id > MAX_NOTE_ID:  # PostgreSQL's INTEGER would refuse to compare (a 500): no such note exists
        return None
    row = connection.execute(select(CONTEXT_NOTE).where(CONTEXT_NOTE.c.id == note_id)).one_or_none()
    return None if row is None else Current("note", str(row.id), row.revision, note_public(row))


def missing(connection: Connection, kind: str, key: str) -> Exception:
    """What to raise for a missing resource: Gone (410) if the log shows it deleted, else NotFound."""
    last = last_change(connection, kind, key)
    if last is None or last.action != "delete":
        return NotFound(kind, key)
    if kind == "note":
        return Gone(kind, key, HISTORY_PATHS["claim"].format(last.claim_id))
    return Gone(kind, key, HISTORY_PATHS[kind].format(key))


def entity_id_for(connection: Connection, key: str) -> int:
    """The id of the entity a slug, name or alias names; raises Gone or NotFound."""
    found = entity_ids_by_key(connection, [key])
    if key not in found:
        # A deleted entity is known by its slug; an unknown key is named as the client wrote it.
        error = missing(connection, "entity", lookup_key(key))
        raise NotFound("entity", key) if isinstance(error, NotFound) else error
    return found[key]


def _read(
    database: Database,
    kind: str,
    key: KeyT,
    find: Callable[[Connection, KeyT], FoundT | None],
    *,
    one_statement: bool = False,
) -> FoundT:
    """`find(connection, key)` for GET; raises Gone (410) for a deleted resource, NotFound for one that
    never existed. `one_statement`: `find` reads in a single statement, its own snapshot."""
    with database.read(snapshot=not one_statement) as connection:
        if (found := find(connection, key)) is None:
            raise missing(connection, kind, str(key))
        return found


def read_claim(database: Database, claim_id: str) -> Rendered:
    """A claim for GET, rendered from its row; raises Gone (410) for a deleted one, NotFound for one that
    never existed."""
    return _read(database, "claim", claim_id, claim_rendered, one_statement=True)


def read_theme(database: Database, slug: str) -> Current[ThemePublic]:
    """A theme for GET; raises Gone or NotFound."""
    return _read(database, "theme", slug, theme)


def read_entity(database: Database, key: str) -> Current[EntityPublic]:
    """An entity, by slug, name or alias, for GET; raises Gone or NotFound."""
    with database.read() as connection:
        found = entity(connection, entity_id_for(connection, key))
        assert found is not None
        return found


def read_document(database: Database, document_id: str) -> Current[DocumentPublic]:
    """A document for GET; raises NotFound."""
    return _read(database, "document", document_id, document)


def read_note(database: Database, note_id: int) -> Current[NotePublic]:
    """A context note for GET; raises Gone or NotFound."""
    return _read(database, "note", note_id, note)
