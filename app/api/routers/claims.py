"""/v1/claims: what the documents say, filterable by theme, entity, document and kind, and their curation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import Field

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import IfMatch, tagged_json
from app.api.formats import answer_claim_list, claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, read_route, responses
from app.api.params import ClaimFilterQuery, ClaimId, ClaimListParams
from app.api.query_models import QueryModel
from app.api.reading import run_read, run_slow_read
from app.api.rendering import rendered_json
from app.api.route_class import ApiRoute
from app.api.write_docs import CURATION, EDITS, GONE, body_examples, write_route
from app.api.writing import WriterDep
from app.schemas.citations import Citation
from app.schemas.claims import ClaimPublic
from app.schemas.facets import ClaimFacets
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services import citations, claims, facets
from app.services.writes import claims as claim_writes

router = APIRouter(prefix="/v1/claims", route_class=ApiRoute)
TAGS: list[str | Enum] = ["claims"]


class FacetsQuery(ClaimFilterQuery):
    """The claim filters, and how many values a facet lists."""

    size: int = Field(
        default=facets.DEFAULT_SIZE,
        ge=1,
        le=facets.MAX_SIZE,
        description="At most this many values per facet, the largest counts first; selected values "
        "are listed whatever their rank.",
    )


FACETS_QUERY = QueryModel(FacetsQuery)


# Declared before /{claim_id}, which would otherwise answer /v1/claims/facets.
@router.get(
    "/facets",
    tags=TAGS,
    summary="Count claims per facet",
    response_model=ClaimFacets,
    responses=responses("facets", INVALID),
    openapi_extra=FACETS_QUERY.openapi_extra(),
)
async def claim_facets(
    database: DatabaseDep, query: Annotated[FacetsQuery, Depends(FACETS_QUERY)]
) -> Response:
    """Claim counts per theme, entity, kind and document, with the same filters as `GET /v1/claims`.

    `total` is the number of matching claims (`meta.total` of the same `/v1/claims` request). Counting is
    **disjunctive**: each facet applies every filter except its own, so a value's `count` is the `meta.total`
    `/v1/claims` would answer with that value as the facet's only value (e.g. with `theme=a&kind=fact`, theme
    `b` counts the claims with theme `b` and kind `fact`), so a UI can show beside each toggle how many
    claims that value matches with the other filters kept, selected or not. `selected` marks the values
    the request filters on; they are listed even with a count of 0. Values with no claims are left out.
    Each facet is ordered by count, largest first, then by label, and lists at most `size` values (50
    unless asked: a corpus names thousands of entities) plus the selected ones.
    """
    filters = claim_filters(query)
    # An answer this process kept is one cheap read (inline on SQLite), never queued behind slow reads.
    # Counting is queued with them: it happens once per change to the data, and for a whole herd of
    # requests at once then. Rendered by the service: FastAPI would validate it again first.
    kept = await run_read(database, facets.kept_facets_json, database, filters, size=query.size)
    if kept is None:
        kept = await run_slow_read(database, facets.claim_facets_json, database, filters, size=query.size)
    return rendered_json(kept)


@router.get(
    "",
    tags=TAGS,
    summary="List claims",
    **claim_list_docs(INVALID),
)
async def list_claims(request: Request, database: DatabaseDep, query: ClaimListParams) -> Response:
    """Claims in document order, filtered by theme, entity, document and kind.

    Values of one filter are OR'ed (`theme=a,b` or `theme=a&theme=b`); different filters are AND'ed.
    An unknown theme, entity, document or kind answers 422 naming it, never an empty list.
    Page with `cursor` = `meta.next_cursor` until it is null. `format` (or Accept) also answers
    JSON-LD (this page), or CSV and NDJSON (every matching claim, streamed).
    """
    return await answer_claim_list(request, database, query, claim_filters(query))


@router.get(
    "/{claim_id}", tags=TAGS, **read_route("Get a claim", "claim", NOT_FOUND, GONE, model=ClaimPublic)
)
async def get_claim(database: DatabaseDep, claim_id: ClaimId) -> Response:
    """One claim: its statement, the verbatim quote and its span, themes, entities and context notes.

    The ETag names the claim's revision (send it as If-Match to edit it). A deleted claim answers 410
    Gone with a link to its history.
    """
    return tagged_json(await run_read(database, claims.read_claim, database, claim_id))


@router.get("/{claim_id}/cite", tags=TAGS, summary="Cite a claim", responses=responses("citation", NOT_FOUND))
async def cite_claim(request: Request, database: DatabaseDep, claim_id: ClaimId) -> Citation:
    """A ready citation: the quote, its source, a permalink, a text-fragment link and a reference."""
    return await run_read(database, citations.cite_claim, database, claim_id, base_url=str(request.base_url))


@router.post("", tags=CURATION, **write_route(201, "Create a claim", "claim"))
async def create_claim(
    writer: WriterDep, body: Annotated[ClaimCreate, Body(openapi_examples=body_examples("claim_create"))]
) -> ClaimPublic:
    """Add a claim to a document; the server gives it its id (in the style of the document's claims).

    The quote must be the document's exact words: give `span` and it must equal `text[start:end]`, or
    leave `span` out and the server finds the quote's one occurrence (422 if it occurs nowhere or more
    than once). Themes and entities are slugs that must exist. Context notes are added afterwards with
    `POST /v1/claims/{claim_id}/context`. Needs a key with scope `write`.
    """
    created = await writer.quick_write(claim_writes.create_claim, body)
    return writer.answer(created, location=f"/v1/claims/{created.key}")


@router.patch("/{claim_id}", tags=CURATION, **write_route(200, "Edit a claim", "claim", *EDITS))
async def update_claim(
    writer: WriterDep,
    claim_id: ClaimId,
    body: Annotated[ClaimPatch, Body(openapi_examples=body_examples("claim_patch"))],
    if_match: IfMatch = None,
) -> ClaimPublic:
    """Change a claim's statement, quote, span, kind, themes or entities (a JSON merge patch).

    Send `If-Match` with the ETag you read: 412 if someone changed the claim since, 428 without it.
    A new quote without a span is looked up in the document; `themes` and `entities` replace the lists.
    A patch that changes nothing writes nothing. Needs a key with scope `write`.
    """
    return writer.answer(await writer.quick_write(claim_writes.update_claim, claim_id, if_match, body))


@router.delete("/{claim_id}", tags=CURATION, **write_route(204, "Delete a claim", None, *EDITS))
async def delete_claim(writer: WriterDep, claim_id: ClaimId, if_match: IfMatch = None) -> Response:
    """Delete a claim with its theme and entity links and its context notes.

    Its history stays: `GET /v1/claims/{claim_id}` then answers 410 Gone with a link to it, and the id
    is never given to another claim. Needs `If-Match` and a key with scope `write`.
    """
    await writer.quick_write(claim_writes.delete_claim, claim_id, if_match)
    return Response(status_code=204)
