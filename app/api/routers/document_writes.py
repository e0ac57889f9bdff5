"""Curating documents: POST /v1/documents adds a source with its text; PATCH corrects its metadata."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from app.api.auth import WriteKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import IfMatch, tagged
from app.api.params import DocumentId
from app.api.write_docs import (
    CONFLICT,
    NOT_FOUND,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    write_responses,
)
from app.schemas.documents import DocumentPublic
from app.schemas.writes import DocumentCreate, DocumentPatch
from app.services.writes import documents

router = APIRouter(prefix="/v1/documents", tags=["curation"])

DOCUMENT_EXAMPLE: dict[str, Any] = {
    "new": {
        "summary": "A new source",
        "value": {
            "id": "pk-it-exports-2024",
            "title": "IT exports keep climbing",
            "text": "Pakistan's IT exports rose again this year. Freelancers led the way.",
            "language": "en",
            "publisher": None,
            "url": None,
            "published_date": None,
            "retrieved_date": None,
        },
    }
}


@router.post(
    "", status_code=201, summary="Add a document", responses=write_responses(201, "document", CONFLICT)
)
def create_document(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    body: Annotated[DocumentCreate, Body(openapi_examples=DOCUMENT_EXAMPLE)],
) -> DocumentPublic:
    """Add a source document with its full text; the server computes its SHA-256 (409 if the id is taken).

    Claims then quote it with `POST /v1/claims`. For a document with its annotations, in one step, use
    `sectorfacts ingest FILE`. Needs scope `write`.
    """
    created = documents.create_document(database, actor(key), body)
    return tagged(response, created, location=f"/v1/documents/{created.key}")


@router.patch(
    "/{document_id}",
    summary="Edit a document's metadata",
    responses=write_responses(200, "document", NOT_FOUND, PRECONDITION_FAILED, PRECONDITION_REQUIRED),
)
def update_document(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    document_id: DocumentId,
    body: DocumentPatch,
    if_match: IfMatch = None,
) -> DocumentPublic:
    """Correct a document's title, language, publisher, URL or dates (`null` clears an optional one).

    The text cannot change: every claim's span points into it. Needs `If-Match` and scope `write`.
    """
    return tagged(response, documents.update_document(database, actor(key), document_id, if_match, body))
