"""/v1/claims: what the documents say, filterable by theme, entity, document and kind."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import tagged_json
from app.api.formats import answer_claim_list, claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import ClaimId, ClaimListParams
from app.api.reading import run_read
from app.api.write_docs import GONE
from app.schemas.citations import Citation
from app.schemas.claims import ClaimPublic
from app.services import citations, claims

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.get("", summary="List claims", **claim_list_docs(INVALID))
async def list_claims(request: Request, database: DatabaseDep, query: ClaimListParams) -> Response:
    """Claims in document order, filtered by theme, entity, document and kind.

    Values of one filter are OR'ed (`theme=a,b` or `theme=a&theme=b`); different filters are AND'ed.
    An unknown theme, entity, document or kind answers 422 naming it, never an empty list.
    Page with `cursor` = `meta.next_cursor` until it is null. `format` (or Accept) also answers
    JSON-LD (this page), or CSV and NDJSON (every matching claim, streamed).
    """
    return await answer_claim_list(request, database, query, claim_filters(query))


@router.get(
    "/{claim_id}",
    summary="Get a claim",
    response_model=ClaimPublic,
    responses=responses("claim", NOT_FOUND, GONE),
)
async def get_claim(database: DatabaseDep, claim_id: ClaimId) -> Response:
    """One claim: its statement, the verbatim quote and its span, themes, entities and context notes.

    The ETag names the claim's revision (send it as If-Match to edit it). A deleted claim answers 410
    Gone with a link to its history.
    """
    return tagged_json(await run_read(database, claims.read_claim, database, claim_id))


@router.get("/{claim_id}/cite", summary="Cite a claim", responses=responses("citation", NOT_FOUND))
async def cite_claim(request: Request, database: DatabaseDep, claim_id: ClaimId) -> Citation:
    """A ready citation: the quote, its source, a permalink, a text-fragment link and a reference."""
    return await run_read(database, citations.cite_claim, database, claim_id, base_url=str(request.base_url))
