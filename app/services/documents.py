"""Document queries: metadata pages, and one document with its full text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.documents import DocumentPublic, DocumentSummary
from app.schemas.measures import precision_of
from app.services import revisioned
from app.services.errors import NotFound
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.tables import CLAIM, DOCUMENT
from app.services.writes.revisions import Current

_CLAIM_COUNT = (
    select(func.count()).where(CLAIM.c.document_id == DOCUMENT.c.id).scalar_subquery().label("claim_count")
)
_SUMMARY = (
    DOCUMENT.c.id,
    DOCUMENT.c.title,
    DOCUMENT.c.text.is_not(None).label("text_held"),
    DOCUMENT.c.sha256,
    DOCUMENT.c.language,
    DOCUMENT.c.publisher,
    DOCUMENT.c.url,
    DOCUMENT.c.published_date,
    DOCUMENT.c.retrieved_date,
    func.length(DOCUMENT.c.text).label("length"),
    _CLAIM_COUNT,
)


_PRECISIONS = {"published_precision", "retrieved_precision"}


def _fields(row: Any) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in DocumentSummary.model_fields if name not in _PRECISIONS}
    precisions = {
        "published_precision": precision_of(row.published_date),
        "retrieved_precision": "day" if row.retrieved_date is not None else None,
    }
    return fields | precisions | {"text_held": bool(row.text_held)}


def list_documents(database: Database, *, limit: int, cursor: str | None = None) -> Page[DocumentSummary]:
    """One page of documents by id, without their text."""
    key = decode_cursor("documents", cursor, (str,)) if cursor else None
    page = select(*_SUMMARY).order_by(DOCUMENT.c.id).limit(limit + 1)
    if key is not None:
        page = after(page, [DOCUMENT.c.id], key)
    with database.read() as connection:
        total = connection.execute(select(func.count()).select_from(DOCUMENT)).scalar_one()
        rows = connection.execute(page).all()
    next_cursor = encode_cursor("documents", [rows[limit - 1].id]) if len(rows) > limit else None
    data = [DocumentSummary(**_fields(row)) for row in rows[:limit]]
    return Page[DocumentSummary](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def document_by_id(connection: Connection, document_id: str) -> DocumentPublic | None:
    """The document with this id, with its text, as the API answers it, or None."""
    row = connection.execute(
        select(*_SUMMARY, DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)
    ).one_or_none()
    return None if row is None else DocumentPublic(**_fields(row), text=row.text)


def require_document(connection: Connection, document_id: str) -> str:
    """The id itself when the document exists; raises NotFound."""
    if connection.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.id == document_id)).first() is None:
        raise NotFound("document", document_id)
    return document_id


def current_document(connection: Connection, document_id: str) -> Current[DocumentPublic] | None:
    """The document with this id, with its revision, or None."""
    return revisioned.current(connection, "document", DOCUMENT, "id", document_id, document_by_id)


def read_document(database: Database, document_id: str) -> Current[DocumentPublic]:
    """A document for GET; raises NotFound."""
    return revisioned.read(database, "document", document_id, current_document)


def every_document(connection: Connection) -> Iterator[DocumentPublic]:
    """Every document with its text, as the API answers it, by id (for a snapshot)."""
    for row in connection.execute(select(*_SUMMARY, DOCUMENT.c.text).order_by(DOCUMENT.c.id)):
        yield DocumentPublic(**_fields(row), text=row.text)
