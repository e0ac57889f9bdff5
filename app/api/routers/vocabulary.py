"""/v1/context.jsonld: the JSON-LD context of our own terms (claim relations, corroboration), documented."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.openapi import served_document
from app.api.route_class import ApiRoute
from app.services import vocabulary

router = APIRouter(tags=["claims"], route_class=ApiRoute)
JSONLD = "application/ld+json"


class JsonLdResponse(JSONResponse):
    """JSON-LD: JSON under its own media type."""

    media_type = JSONLD


@router.get(
    vocabulary.CONTEXT_PATH,
    summary="Get the JSON-LD context of claim relations",
    response_class=JsonLdResponse,
    responses=served_document("The JSON-LD context document."),
)
def get_jsonld_context(request: Request) -> JsonLdResponse:
    """The JSON-LD context that claim lists in JSON-LD (`format=jsonld`) use after schema.org's.

    schema.org has no term for one claim supporting, contradicting or qualifying another, so these are
    our own (`sf:`), each documented in `@graph`: `sf:supports`, `sf:contradicts`, `sf:qualifies` (with
    reverse terms `supportedBy`, `contradictedBy`, `qualifiedBy`), `sf:sameAs` (same proposition, not
    `owl:sameAs` identity), `sf:basis`, the corroboration counts, and each relation as a W3C Web
    Annotation. A part-of relation uses schema.org's own `isPartOf` / `hasPart`.
    """
    body = vocabulary.context_document(str(request.base_url))
    return JsonLdResponse(body)
