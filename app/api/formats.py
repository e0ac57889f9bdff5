"""Claim lists in JSON, CSV, NDJSON or JSON-LD: format negotiation, streaming, and their documentation.

`format=` wins over the Accept header; an Accept naming none of the four answers JSON (RFC 9110 lets a
server disregard Accept, and a JSON answer is more useful to a generic client than a 406). CSV and NDJSON
export the whole filtered set, streamed in keyset batches; JSON and JSON-LD answer one page.

In the OpenAPI document a claim list's 200 `content` is JSON alone, and the other three formats are Media
Type Objects under the response's `x-other-formats`. Generated clients type a response as the union of
every media type in its `content` (openapi-typescript with openapi-fetch makes `data` a union with
`string`), and nothing in OpenAPI ties a media type to the `format` parameter or an Accept header that
selects it; so JSON, the answer of a request that asks for no format, is what clients type, and a client
asking for another format reads text (openapi-fetch's `parseAs: "text"`). The formats stay documented in
the 200's description, the `format` parameter and the extension (which tools that do not know it skip).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any, get_args

from fastapi import Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from app.api.openapi import INVALID, NOT_FOUND, Responses, recorded_examples, responses
from app.api.openapi_components import OTHER_FORMATS, shared
from app.api.params import CLAIM_LIST_QUERY, ClaimFormat, ClaimListQuery
from app.api.reading import run_read
from app.db import Database
from app.schemas.claims import ClaimPage
from app.services import claims, exports, jsonld
from app.services.claim_filters import ClaimFilters

FORMATS: tuple[ClaimFormat, ...] = get_args(ClaimFormat)
MEDIA_TYPES: dict[ClaimFormat, str] = {
    "json": "application/json",
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
    "jsonld": "application/ld+json",
}
VARY = {"Vary": "Accept"}
CSV_NOTES = (
    "`themes`, `entities`: slugs joined by `|`; `context`: the notes joined by newlines; `context_json`: "
    "the notes with their sources as JSON. A paraphrase (`basis`) has empty `span_start`, `span_end`, "
    "`quote`. "
    "`source_*`: the claim's own document (empty when unknown). `supported_by` … `part_of`: the ids of the "
    "claims related to it that way (as `relations[].relation`), joined by `;`. `supporting_sources`, "
    "`contradicting_sources`, `qualifying_sources`: `corroboration`. `relations_json`: `relations` as JSON."
)
CSV_DISPOSITION = 'attachment; filename="claims.csv"'


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights (q), in the order given."""
    found: list[tuple[str, float]] = []
    for part in accept.split(","):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
        if media_range:
            found.append((media_range.lower(), weight))
    return found


# A client sends the same Accept on every request; the header is client text, so the cache is bounded.
@lru_cache(maxsize=256)
def negotiate(accept: str | None) -> ClaimFormat:
    """The format an Accept header prefers: highest q, then the most specific range, then the first listed.

    A wildcard (`*/*`, `application/*`) prefers JSON; nothing acceptable falls back to JSON.
    """
    if not accept:
        return "json"
    ranges = _ranges(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: ClaimFormat = "json"
    for preference, fmt in enumerate(FORMATS):
        kind = MEDIA_TYPES[fmt].split("/")[0]
        # RFC 9110: the most specific range that matches a media type gives its weight.
        matches = [
            (specificity, weight, -position)
            for position, (media_range, weight) in enumerate(ranges)
            for specificity, candidate in ((2, MEDIA_TYPES[fmt]), (1, f"{kind}/*"), (0, "*/*"))
            if media_range == candidate
        ]
        if not matches:
            continue
        specificity, weight, order = max(matches)
        score = (weight, specificity, order, -preference)
        if weight > 0 and (best is None or score > best):
            best, chosen = score, fmt
    return chosen


def claim_list(
    request: Request,
    database: Database,
    filters: ClaimFilters,
    fmt: ClaimFormat,
    *,
    limit: int,
    cursor: str | None,
) -> Response:
    """Any claim list (all claims, or a theme's, entity's or document's) in the chosen format."""
    if fmt == "json":
        page_json = claims.list_claims_json(database, filters, limit=limit, cursor=cursor)
        return Response(page_json, media_type="application/json", headers=VARY)
    if fmt == "jsonld":
        page = claims.list_claims(database, filters, limit=limit, cursor=cursor)
        documents = jsonld.cited_documents(database, (claim.document_id for claim in page.data))
        body = jsonld.page_graph(page, str(request.base_url), documents)
        return JSONResponse(body, media_type=MEDIA_TYPES["jsonld"], headers=VARY)
    # Reads the first batch now, so a bad filter still answers a problem before the stream starts.
    batches = exports.claim_batches(database, filters, batch_size=exports.EXPORT_BATCH_SIZE)
    if fmt == "csv":
        headers = VARY | {"Content-Disposition": CSV_DISPOSITION}
        return StreamingResponse(
            exports.csv_chunks(batches), media_type="text/csv; charset=utf-8", headers=headers
        )
    return StreamingResponse(exports.ndjson_chunks(batches), media_type=MEDIA_TYPES["ndjson"], headers=VARY)


async def answer_claim_list(
    request: Request, database: Database, query: ClaimListQuery, filters: ClaimFilters
) -> Response:
    """A claim list in the format `format=` or else Accept asks for, its reads run by `run_read`."""
    fmt = query.format or negotiate(request.headers.get("accept"))
    return await run_read(
        database, claim_list, request, database, filters, fmt, limit=query.limit, cursor=query.cursor
    )


@cache
def _text_examples() -> dict[ClaimFormat, str]:
    """CSV and NDJSON renderings of the recorded claims page example, as the API renders them."""
    recorded = recorded_examples()
    if "claims_page" not in recorded:
        return {}
    page = ClaimPage.model_validate(recorded["claims_page"])
    return {
        "csv": "".join(exports.csv_chunks([page.data[:1]])),
        "ndjson": "".join(exports.ndjson_chunks([page.data])),
    }


def claim_list_responses(*errors: Responses) -> Responses:
    """A claim list's documentation: the JSON page, the other formats with examples (beside `content`: see
    the module), and its errors."""
    documented = responses("claims_page", *errors)
    content: dict[str, Any] = {}
    documented[200][OTHER_FORMATS] = content
    columns = ", ".join(exports.CSV_COLUMNS)
    content[MEDIA_TYPES["csv"]] = {
        "schema": {"type": "string", "description": f"Columns: {columns}. {CSV_NOTES}"}
    }
    content[MEDIA_TYPES["ndjson"]] = {
        "schema": {"type": "string", "description": "One claim (the JSON `data` item shape) a line."}
    }
    for fmt, example in _text_examples().items():
        name = f"claims_{fmt}"  # the same rendering on every claim list: declared once
        content[MEDIA_TYPES[fmt]]["examples"] = {name: shared(name, {"value": example})}
    # The JSON-LD example is a recorded answer (tests/record_examples.py), put in place like the JSON one.
    recorded = responses("claims_jsonld")[200]["content"].pop("application/json")
    content[MEDIA_TYPES["jsonld"]] = recorded | {
        "schema": {
            "type": "object",
            "description": "`@context` (schema.org, then our terms: `GET /v1/context.jsonld`), `@graph` of "
            "schema.org Claims with their relations (`supportedBy`, `contradictedBy`, `qualifiedBy`, "
            "`supports`, `contradicts`, `qualifies`, `sameClaimAs`, `hasPart`, `isPartOf`, and each as an "
            "`oa:Annotation` under `claimRelation`) and corroboration counts, `meta`.",
        }
    }
    documented[200]["description"] = (
        "A page of claims (JSON, JSON-LD), or every matching claim (CSV, NDJSON), as `format` or Accept "
        "asks. JSON unless asked otherwise; the other formats are described under `x-other-formats`."
    )
    # The same answer on every claim list: declared once, under components/responses.
    documented[200] = shared("ClaimsPage", documented[200])
    return documented


def nested_claim_list_docs() -> dict[str, Any]:
    """The documentation of a resource's claim list (`/v1/themes/{slug}/claims` …): `GET /v1/claims`'s
    answers, and 404 for a resource that does not exist."""
    return claim_list_docs(NOT_FOUND, INVALID)


def claim_list_docs(*errors: Responses) -> dict[str, Any]:
    """A claim list route's documentation: its query parameters, its answers and `errors`."""
    return {
        "response_model": ClaimPage,
        "responses": claim_list_responses(*errors),
        "openapi_extra": CLAIM_LIST_QUERY.openapi_extra(),
    }
