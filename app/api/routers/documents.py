"""/v1/documents: the sources, with their full text, each source's claims, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body

from app.api.etags import IfMatch
from app.api.openapi import NOT_FOUND
from app.api.params import DocumentId
from app.api.resource_reads import ResourceReads, add_resource_reads
from app.api.route_class import ApiRoute
from app.api.write_docs import CONFLICT, CURATION, IF_MATCH, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.common import Page
from app.schemas.documents import DocumentPublic, DocumentSummary
from app.schemas.writes import DocumentCreate, DocumentPatch
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
def create_document(
    writer: WriterDep,
    body: Annotated[DocumentCreate, Body(openapi_examples=body_examples("document_create"))],
) -> DocumentPublic:
    """Add a source document with its full text; the server computes its SHA-256 (409 if the id is taken).

    Claims then quote it with `POST /v1/claims`. For a document with its annotations, in one step, use
    `sectorfacts ingest FILE`. Needs scope `write`.
    """
    created = document_writes.create_document(writer.database, writer.actor, body)
    return writer.answer(created, location=f"/v1/documents/{created.key}")


# No route deletes a document, so its edits never meet a 410.
@router.patch(
    "/{document_id}",
    tags=CURATION,
    **write_route(200, "Edit a document's metadata", "document", NOT_FOUND, *IF_MATCH),
)
def update_document(
    writer: WriterDep, document_id: DocumentId, body: DocumentPatch, if_match: IfMatch = None
) -> DocumentPublic:
    """Correct a document's title, language, publisher, URL or dates (`null` clears an optional one).

    The text cannot change: every claim's span points into it. Needs `If-Match` and scope `write`.
    """
    updated = document_writes.update_document(writer.database, writer.actor, document_id, if_match, body)
    return writer.answer(updated)
