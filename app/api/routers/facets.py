"""/v1/claims/facets: how many claims each theme, entity, kind and document would select."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from app.api.deps import DatabaseDep, claim_filters
from app.api.openapi import INVALID, responses
from app.api.params import ClaimFilterQuery
from app.api.query_models import QueryModel
from app.api.reading import run_read
from app.api.rendering import json_response
from app.schemas.facets import ClaimFacets
from app.services import facets


# Included before the claims router, whose /v1/claims/{claim_id} would otherwise answer /v1/claims/facets.
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

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.get(
    "/facets",
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
    # Serialised once: FastAPI would validate the answer again (a thousand values and more) first.
    filters = claim_filters(query)
    return json_response(await run_read(database, facets.claim_facets, database, filters, size=query.size))
