"""/v1/documents: the sources, with their full text, and each source's claims."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api import formats
from app.api.deps import ClaimFiltersDep, CursorParam, DatabaseDep, LimitParam
from app.api.etags import tagged
from app.api.formats import ClaimFormatDep, claim_list_responses
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.reading import run_read
from app.api.routing import ApiRoute
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page
from app.schemas.documents import DocumentPublic, DocumentSummary
from app.services import documents

router = APIRouter(prefix="/v1/documents", tags=["documents"], route_class=ApiRoute)

DocumentId = Annotated[str, Path(max_length=100, description="A document id, e.g. `pakistan-it-sector`.")]


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


@router.get(
    "/{document_id}/claims",
    summary="List a document's claims",
    response_model=Page[ClaimPublic],
    responses=claim_list_responses(NOT_FOUND, INVALID),
)
async def list_document_claims(
    request: Request,
    database: DatabaseDep,
    document_id: DocumentId,
    filters: ClaimFiltersDep,
    fmt: ClaimFormatDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[ClaimPublic] | Response:
    """This document's claims in order, with the same filters, paging and formats as `GET /v1/claims`."""
    scoped = replace(filters, scope_document=document_id)
    return await run_read(
        database, formats.claim_list, request, database, scoped, fmt, limit=limit, cursor=cursor
    )
