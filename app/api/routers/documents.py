"""/v1/documents: the sources, with their full text, each source's claims, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import IfMatch, tagged_json
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, read_route, responses
from app.api.params import ClaimListParams, CursorParam, DocumentId, LimitParam
from app.api.reading import run_read
from app.api.write_docs import CONFLICT, CURATION, IF_MATCH, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.common import Page
from app.schemas.documents import DocumentPublic, DocumentSummary
from app.schemas.writes import DocumentCreate, DocumentPatch
from app.services import documents
from app.services.writes import documents as document_writes

router = APIRouter(prefix="/v1/documents")
TAGS: list[str | Enum] = ["documents"]


@router.get("", tags=TAGS, summary="List documents", responses=responses("documents_page", INVALID))
async def list_documents(
    database: DatabaseDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[DocumentSummary]:
    """Source documents with their metadata and number of claims (without the text)."""
    return await run_read(database, documents.list_documents, database, limit=limit, cursor=cursor)


@router.get(
    "/{document_id}", tags=TAGS, **read_route("Get a document", "document", NOT_FOUND, model=DocumentPublic)
)
async def get_document(database: DatabaseDep, document_id: DocumentId) -> Response:
    """One document with its full text and SHA-256; claim spans index into `text`; ETag: its revision."""
    return tagged_json(await run_read(database, documents.read_document, database, document_id))


@router.get(
    "/{document_id}/claims", tags=TAGS, summary="List a document's claims", **nested_claim_list_docs()
)
async def list_document_claims(
    request: Request, database: DatabaseDep, document_id: DocumentId, query: ClaimListParams
) -> Response:
    """This document's claims in order, with the same filters, paging and formats as `GET /v1/claims`."""
    scoped = claim_filters(query, scope_document=document_id)
    return await answer_claim_list(request, database, query, scoped)


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
