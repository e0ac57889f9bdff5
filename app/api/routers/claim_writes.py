"""Curating claims: POST /v1/claims, PATCH and DELETE /v1/claims/{claim_id}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from app.api.auth import WriteKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import IfMatch, tagged
from app.api.params import ClaimId
from app.api.write_docs import (
    GONE,
    NOT_FOUND,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    write_responses,
)
from app.schemas.claims import ClaimPublic
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services.writes import claims

router = APIRouter(prefix="/v1/claims", tags=["curation"])


CREATE_EXAMPLES: dict[str, Any] = {
    "quote-only": {
        "summary": "The server finds the quote's span",
        "value": {
            "document": "pakistan-it-sector",
            "statement": "Pakistan's IT sector creates jobs for young people.",
            "quote": "creating jobs",
            "kind": "fact",
            "themes": ["economic-impact"],
            "entities": ["pakistan"],
        },
    },
    "with-span": {
        "summary": "The client pins the span",
        "value": {
            "document": "pakistan-it-sector",
            "statement": "Pakistan has emerged as a hub for the IT sector.",
            "quote": "Pakistan has emerged as a vibrant hub",
            "span": {"start": 76, "end": 113},
            "kind": "opinion",
            "themes": ["sector-growth"],
        },
    },
}
PATCH_EXAMPLES: dict[str, Any] = {
    "statement": {"summary": "Reword the statement", "value": {"statement": "Careem is described as …"}},
    "links": {"summary": "Replace the themes", "value": {"themes": ["startups-entrepreneurship", "outlook"]}},
}


@router.post(
    "",
    status_code=201,
    summary="Create a claim",
    responses=write_responses(201, "claim"),
)
def create_claim(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    body: Annotated[ClaimCreate, Body(openapi_examples=CREATE_EXAMPLES)],
) -> ClaimPublic:
    """Add a claim to a document; the server gives it its id (in the style of the document's claims).

    The quote must be the document's exact words: give `span` and it must equal `text[start:end]`, or
    leave `span` out and the server finds the quote's one occurrence (422 if it occurs nowhere or more
    than once). Themes and entities are slugs that must exist. Context notes are added afterwards with
    `POST /v1/claims/{claim_id}/context`. Needs a key with scope `write`.
    """
    created = claims.create_claim(database, actor(key), body)
    return tagged(response, created, location=f"/v1/claims/{created.key}")


@router.patch(
    "/{claim_id}",
    summary="Edit a claim",
    responses=write_responses(200, "claim", NOT_FOUND, GONE, PRECONDITION_FAILED, PRECONDITION_REQUIRED),
)
def update_claim(
    key: WriteKey,
    database: DatabaseDep,
    response: Response,
    claim_id: ClaimId,
    body: Annotated[ClaimPatch, Body(openapi_examples=PATCH_EXAMPLES)],
    if_match: IfMatch = None,
) -> ClaimPublic:
    """Change a claim's statement, quote, span, kind, themes or entities (a JSON merge patch).

    Send `If-Match` with the ETag you read: 412 if someone changed the claim since, 428 without it.
    A new quote without a span is looked up in the document; `themes` and `entities` replace the lists.
    A patch that changes nothing writes nothing. Needs a key with scope `write`.
    """
    return tagged(response, claims.update_claim(database, actor(key), claim_id, if_match, body))


@router.delete(
    "/{claim_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a claim",
    responses=write_responses(204, None, NOT_FOUND, GONE, PRECONDITION_FAILED, PRECONDITION_REQUIRED),
)
def delete_claim(
    key: WriteKey, database: DatabaseDep, claim_id: ClaimId, if_match: IfMatch = None
) -> Response:
    """Delete a claim with its theme and entity links and its context notes.

    Its history stays: `GET /v1/claims/{claim_id}` then answers 410 Gone with a link to it, and the id
    is never given to another claim. Needs `If-Match` and a key with scope `write`.
    """
    claims.delete_claim(database, actor(key), claim_id, if_match)
    return Response(status_code=204)
