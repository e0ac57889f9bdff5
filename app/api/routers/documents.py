"""/v1/documents: the sources, with their full text, each source's claims, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from app.api.deps import DatabaseDep
from app.api.etags import IfMatch
from app.api.openapi import INVALID, NOT_FOUND, UNAVAILABLE, Responses, illustrated, responses
from app.api.params import CursorParam, DocumentId, LimitParam
from app.api.resource_reads import ResourceReads, add_resource_reads
from app.api.route_class import ApiRoute
from app.api.write_docs import (
    CONFLICT,
    CURATION,
    FORBIDDEN,
    IF_MATCH,
    INVALID_WRITE,
    UNAUTHORIZED,
    body_examples,
    write_route,
)
from app.api.writing import WriterDep
from app.models import MAX_ROW_ID
from app.schemas.common import Page
from app.schemas.documents import (
    DocumentPublic,
    DocumentSummary,
    DocumentVersionPublic,
    DocumentVersionSummary,
    TextReplaced,
)
from app.schemas.writes import DocumentCreate, DocumentPatch, DocumentVersionCreate
from app.services import documents
from app.services.writes import documents as document_writes

router = APIRouter(prefix="/v1/documents", route_class=ApiRoute)
TAGS: list[str | Enum] = ["documents"]


READS = ResourceReads("document", "document_id", DocumentId, DocumentPublic, documents.read_document)
READ_DOCS = """
list: Source documents with their metadata and number of claims (without the text).
get: One document with its full text and SHA-256; claim spans index into `text`; ETag: its revision.
claims: This document's claims in order
"""
add_resource_reads(router, TAGS, READS, READ_DOCS, listing=(documents.list_documents, Page[DocumentSummary]))


@router.post("", tags=CURATION, **write_route(201, "Add a document", "document", CONFLICT))
async def create_document(
    writer: WriterDep,
    body: Annotated[DocumentCreate, Body(openapi_examples=body_examples("document_create"))],
) -> DocumentPublic:
    """Add a source document with its full text; the server computes its SHA-256 (409 if the id is taken).

    Claims then quote it with `POST /v1/claims`. For a document with its annotations, in one step, use
    `sectorfacts ingest FILE`. Needs scope `write`.
    """
    created = await writer.write(document_writes.create_document, body)
    return writer.answer(created, location=f"/v1/documents/{created.key}")


# No route deletes a document, so its edits never meet a 410.
@router.patch(
    "/{document_id}",
    tags=CURATION,
    **write_route(200, "Edit a document's metadata", "document", NOT_FOUND, *IF_MATCH),
)
async def update_document(
    writer: WriterDep, document_id: DocumentId, body: DocumentPatch, if_match: IfMatch = None
) -> DocumentPublic:
    """Correct a document's title, language, publisher, URL or dates (`null` clears an optional one).

    A new text is a new version (`POST …/versions`). Needs `If-Match` and scope `write`.
    """
    updated = await writer.write(document_writes.update_document, document_id, if_match, body)
    return writer.answer(updated)


# The largest version number a path names.
MAX_VERSION = MAX_ROW_ID
VersionNumber = Annotated[
    int, Path(ge=1, le=MAX_VERSION, description="A version number of the document's text, from 1.")
]
# Illustrative (the seeded texts are long): a version the API recorded.
_TEXT = "Pakistan's IT exports grew … (the version's text)."
_VERSION = {
    "document_id": "pakistan-it-sector",
    "version": 2,
    "current": True,
    "sha256": "9d1e0c7b5e3f4a8c2b6d0e1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c",
    "length": len(_TEXT),
    "created_at": "2026-12-06T12:00:00.000000Z",
    "note": "Figures corrected.",
    "text": _TEXT,
}
_REPLACED = {
    "document_id": "pakistan-it-sector",
    "version": 2,
    "sha256": _VERSION["sha256"],
    "length": len(_TEXT),
    "reanchored": 66,
    "orphaned": ["pkit-012", "pkit-040"],
}


def _illustrated(status: int, example: str, value: object, *errors: Responses) -> Responses:
    documented: Responses = {status: {"content": illustrated("application/json", example, value)}}
    for error in (*errors, UNAVAILABLE):
        documented |= error
    return documented


@router.post(
    "/{document_id}/versions",
    tags=CURATION,
    status_code=201,
    summary="Replace a document's text by a new version",
    responses=_illustrated(
        201,
        "text_replaced",
        _REPLACED,
        *(UNAUTHORIZED, FORBIDDEN, INVALID_WRITE, NOT_FOUND, CONFLICT, *IF_MATCH),
    ),
)
async def replace_document_text(
    writer: WriterDep,
    document_id: DocumentId,
    body: DocumentVersionCreate,
    response: Response,
    if_match: IfMatch = None,
) -> TextReplaced:
    """Publish a new version of a held document's text; old versions stay readable.

    A claim moves only where its `anchor.quote` (prefix + exact + suffix) occurs exactly once in the new
    text; the others are `orphaned` (never matched to similar text). 409 for a cited document or an
    unchanged text. Needs `If-Match` (the document's ETag) and scope `write`.
    """
    replaced = await writer.write(document_writes.replace_text, document_id, if_match, body)
    response.headers["Location"] = f"/v1/documents/{document_id}/versions/{replaced.version}"
    return replaced


@router.get(
    "/{document_id}/versions",
    tags=TAGS,
    summary="List a document's text versions",
    responses=responses("versions_page", NOT_FOUND, INVALID),
)
def list_document_versions(
    database: DatabaseDep, document_id: DocumentId, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[DocumentVersionSummary]:
    """The versions of the document's text, oldest first, without the text."""
    return documents.list_versions(database, document_id, limit=limit, cursor=cursor)


@router.get(
    "/{document_id}/versions/{version}",
    tags=TAGS,
    summary="Get one version of a document's text",
    responses=_illustrated(200, "document_version", _VERSION, NOT_FOUND),
)
def get_document_version(
    database: DatabaseDep, document_id: DocumentId, version: VersionNumber
) -> DocumentVersionPublic:
    """One version of the document's text, e.g. the one an orphaned claim's span points into."""
    return documents.read_version(database, document_id, version)
