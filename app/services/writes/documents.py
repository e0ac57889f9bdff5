"""Adding documents with their text, and correcting their metadata (never their text: spans point into it)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, insert

from app.db import Database
from app.schemas.documents import DocumentPublic
from app.schemas.writes import DocumentCreate, DocumentPatch
from app.services import revisioned
from app.services.documents import current_document
from app.services.tables import DOCUMENT
from app.services.writes.errors import Conflict
from app.services.writes.history import record
from app.services.writes.revisions import Current, bump, check_if_match, require_if_match
from app.services.writes.transaction import Actor, Unchanged, writing


def create_document_on(connection: Connection, actor: Actor, body: DocumentCreate) -> Current[DocumentPublic]:
    """Insert a document inside an open write transaction; 409 if the id is taken."""
    if current_document(connection, body.id) is not None:
        raise Conflict(f"A document {body.id!r} already exists.")
    sha256 = hashlib.sha256(body.text.encode("utf-8")).hexdigest()
    connection.execute(insert(DOCUMENT).values(**body.model_dump(), sha256=sha256))
    after = current_document(connection, body.id)
    assert after is not None
    record(connection, actor, "create", None, after)
    return after


def create_document(database: Database, actor: Actor, body: DocumentCreate) -> Current[DocumentPublic]:
    """Add a document with its text."""
    with writing(database) as connection:
        return create_document_on(connection, actor, body)


def update_document(
    database: Database, actor: Actor, document_id: str, if_match: str | None, body: DocumentPatch
) -> Current[DocumentPublic]:
    """Merge-patch a document's metadata at the revision If-Match names."""
    if_match = require_if_match(if_match)
    try:
        with writing(database) as connection:
            before = current_document(connection, document_id)
            if before is None:
                raise revisioned.missing(connection, "document", document_id)
            check_if_match(if_match, before)
            values = body.changes()
            if all(getattr(before.public, name) == value for name, value in values.items()):
                raise Unchanged(before)
            bump(connection, DOCUMENT, DOCUMENT.c.id == document_id, before, values)
            after = current_document(connection, document_id)
            assert after is not None
            record(connection, actor, "update", before, after)
            return after
    except Unchanged as unchanged:
        kept: Current[DocumentPublic] = unchanged.current
        return kept
