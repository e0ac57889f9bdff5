"""Document queries: metadata pages, and one document with its full text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.documents import (
    DocumentPublic,
    DocumentSummary,
    DocumentVersionPublic,
    DocumentVersionSummary,
)
from app.schemas.measures import precision_of
from app.services import revisioned
from app.services.errors import NotFound
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.tables import CLAIM, DOCUMENT, DOCUMENT_VERSION
from app.services.writes.revisions import Current

_CLAIM_COUNT = (
    select(func.count()).where(CLAIM.c.document_id == DOCUMENT.c.id).scalar_subquery().label("claim_count")
)
_CURRENT_VERSION = (
    select(func.max(DOCUMENT_VERSION.c.version))
    .where(DOCUMENT_VERSION.c.document_id == DOCUMENT.c.id)
    .scalar_subquery()
    .label("current_version")
)
_ORPHANED = (
    select(func.count())
    .where(CLAIM.c.document_id == DOCUMENT.c.id, CLAIM.c.orphaned)
    .scalar_subquery()
    .label("orphaned_claims")
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
    _CURRENT_VERSION,
    _ORPHANED,
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


_VERSION_SUMMARY = (
    DOCUMENT_VERSION.c.document_id,
    DOCUMENT_VERSION.c.version,
    DOCUMENT_VERSION.c.sha256,
    func.length(DOCUMENT_VERSION.c.text).label("length"),
    DOCUMENT_VERSION.c.created_at,
    DOCUMENT_VERSION.c.note,
)


def _version_fields(row: Any, newest: int | None) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in DocumentVersionSummary.model_fields if name != "current"}
    return fields | {"current": row.version == newest}


def _newest(connection: Connection, document_id: str) -> int | None:
    return connection.execute(
        select(func.max(DOCUMENT_VERSION.c.version)).where(DOCUMENT_VERSION.c.document_id == document_id)
    ).scalar()


def list_versions(
    database: Database, document_id: str, *, limit: int, cursor: str | None = None
) -> Page[DocumentVersionSummary]:
    """One page of a document's text versions, oldest first, without their text (none for a cited
    document); raises NotFound."""
    key = decode_cursor("versions", cursor, (int,)) if cursor else None
    mine = DOCUMENT_VERSION.c.document_id == document_id
    page = select(*_VERSION_SUMMARY).where(mine).order_by(DOCUMENT_VERSION.c.version).limit(limit + 1)
    if key is not None:
        page = after(page, [DOCUMENT_VERSION.c.version], key)
    with database.read() as connection:
        require_document(connection, document_id)
        counted = select(func.count()).select_from(DOCUMENT_VERSION).where(mine)
        total = connection.execute(counted).scalar_one()
        newest = _newest(connection, document_id)
        rows = connection.execute(page).all()
    next_cursor = encode_cursor("versions", [rows[limit - 1].version]) if len(rows) > limit else None
    data = [DocumentVersionSummary(**_version_fields(row, newest)) for row in rows[:limit]]
    meta = PageMeta(total=total, limit=limit, next_cursor=next_cursor)
    return Page[DocumentVersionSummary](data=data, meta=meta)


def read_version(database: Database, document_id: str, version: int) -> DocumentVersionPublic:
    """One version of a document's text; raises NotFound (for the document, or for the version)."""
    with database.read() as connection:
        require_document(connection, document_id)
        row = connection.execute(
            select(*_VERSION_SUMMARY, DOCUMENT_VERSION.c.text).where(
                DOCUMENT_VERSION.c.document_id == document_id, DOCUMENT_VERSION.c.version == version
            )
        ).one_or_none()
        if row is None:
            raise NotFound("document version", f"{document_id}/versions/{version}")
        newest = _newest(connection, document_id)
    return DocumentVersionPublic(**_version_fields(row, newest), text=row.text)
