"""/v1/documents: the sources, with their full text, and each source's claims."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import tagged
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import ClaimListParams, CursorParam, DocumentId, LimitParam
from app.api.reading import run_read
from app.schemas.common import Page
from app.schemas.documents import DocumentPublic, DocumentSummary
from app.services import documents

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("", summary="List documents", responses=responses("documents_page", INVALID))
async def list_documents(
    database: DatabaseDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[DocumentSummary]:
    """Source documents with their metadata and number of claims (without the text)."""
    return await run_read(database, documents.list_documents, database, limit=limit, cursor=cursor)


@router.get("/{document_id}", summary="Get a document", responses=responses("document", NOT_FOUND))
async def get_document(database: DatabaseDep, response: Response, document_id: DocumentId) -> DocumentPublic:
    """One document with its full text and SHA-256; claim spans index into `text`; ETag: its revision."""
    return tagged(response, await run_read(database, documents.read_document, database, document_id))


@router.get("/{document_id}/claims", summary="List a document's claims", **nested_claim_list_docs())
async def list_document_claims(
    request: Request, database: DatabaseDep, document_id: DocumentId, query: ClaimListParams
) -> Response:
    """This document's claims in order, with the same filters, paging and formats as `GET /v1/claims`."""
    scoped = claim_filters(query, scope_document=document_id)
    return await answer_claim_list(request, database, query, scoped)
