"""Adding documents with their text, and correcting their metadata (never their text: spans point into it)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, insert

from app.db import Database
from app.schemas.documents import DocumentPublic
from app.schemas.writes import DocumentCreate, DocumentPatch
from app.services.claim_bodies import of_document
from app.services.documents import current_document
from app.services.tables import DOCUMENT
from app.services.writes import edits
from app.services.writes.errors import Conflict
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor, transacted

# Each claim shows its document as its source.
DOCUMENTS = edits.Editable("document", DOCUMENT, "id", find=current_document, shown_in=of_document)


@transacted
def create_document(connection: Connection, actor: Actor, body: DocumentCreate) -> Current[DocumentPublic]:
    """Add a document with its text (held), or without (cited); 409 if the id is taken."""
    if current_document(connection, body.id) is not None:
        raise Conflict(f"A document {body.id!r} already exists.")
    # A document without text is cited: no checksum either.
    sha256 = hashlib.sha256(body.text.encode("utf-8")).hexdigest() if body.text is not None else None
    connection.execute(insert(DOCUMENT).values(**body.model_dump(), sha256=sha256))
    return DOCUMENTS.created(connection, actor, body.id)


def update_document(
    database: Database, actor: Actor, document_id: str, if_match: str | None, body: DocumentPatch
) -> Current[DocumentPublic]:
    """Merge-patch a document's metadata at the revision If-Match names."""
    return DOCUMENTS.update(database, actor, document_id, if_match, DOCUMENTS.assigning(body.changes()))
