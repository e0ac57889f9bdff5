"""What the middleware add to every route, in the OpenAPI document: statuses, headers, If-None-Match.

build_openapi calls document_http_behaviour once, so no route has to repeat it. The statuses are shared
responses and the headers are components, so the document writes each once.
"""

from __future__ import annotations

import copy
from typing import Any

from app.api.middleware.common import OPERATIONAL_PATHS
from app.api.middleware.http import BODYLESS_METHODS
from app.api.openapi_components import reference, shared

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _header(description: str, schema_type: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": schema_type}}


HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": _header(
        "This request's id: the client's own when sane, else a new one; also in the logs."
    ),
    "ETag": _header("Strong validator of exactly these bytes; send it back in If-None-Match."),
    "Cache-Control": _header("How long caches may keep the answer (SECTORFACTS_CACHE_CONTROL)."),
    "Link": _header(
        'The next page, `<URL>; rel="next"`: this URL with `cursor` replaced. Absent on the last.'
    ),
    "Retry-After": _header("Seconds to wait before trying again.", "integer"),
    "RateLimit-Policy": _header(
        "The quota policy (when rate limiting is on; IETF draft-ietf-httpapi-ratelimit-headers): its name, "
        'quota `q` (requests) and window `w` (seconds), e.g. `"default";q=120;w=60`.'
    ),
    "RateLimit": _header(
        "What is left of the policy now: remaining requests `r` and seconds `t` until the window resets, "
        'e.g. `"default";r=42;t=30`.'
    ),
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of copies the client holds; a match answers 304 with no body.",
    "schema": {"type": "string"},
}
RATE_HEADERS = ("RateLimit-Policy", "RateLimit")


def _refs(*names: str) -> dict[str, Any]:
    return {name: reference("headers", name) for name in names}


def _problem(
    component: str, description: str, name: str, status: int, title: str, detail: str, **extra: Any
) -> dict[str, Any]:
    example = {"type": f"/problems/{name}", "title": title, "status": status, "detail": detail, **extra}
    return shared(
        component,
        {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example}}},
    )


NOT_MODIFIED = shared(
    "NotModified", {"description": "Not modified: If-None-Match names the current ETag; no body."}
)
TOO_MANY_REQUESTS = _problem(
    "TooManyRequests",
    "This client is over its rate limit (SECTORFACTS_RATE_LIMIT).",
    "too-many-requests",
    429,
    "Too many requests",
    "More than 120 requests in 60 s; retry after 12 s.",
)
PAYLOAD_TOO_LARGE = _problem(
    "PayloadTooLarge",
    "The request body is over SECTORFACTS_MAX_BODY_BYTES.",
    "payload-too-large",
    413,
    "Payload too large",
    "The request body is larger than 1048576 bytes.",
    limit=1048576,
)
INTERNAL_ERROR = _problem(
    "InternalError",
    "An unexpected error; it has been logged under the request id.",
    "internal-error",
    500,
    "Internal server error",
    "An unexpected error occurred; it has been logged.",
)


def _is_page(response: dict[str, Any], schemas: dict[str, Any]) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
    meta_ref = properties.get("meta", {}).get("$ref", "")
    return "next_cursor" in schemas.get(meta_ref.rsplit("/", 1)[-1], {}).get("properties", {})


def _document_operation(
    path: str, method: str, operation: dict[str, Any], schemas: dict[str, Any], *, rate_limited: bool
) -> None:
    answers: dict[str, Any] = operation.setdefault("responses", {})
    limited = rate_limited and path not in OPERATIONAL_PATHS
    if method == "get":
        parameters = operation.setdefault("parameters", [])
        if all(parameter.get("name") != IF_NONE_MATCH["name"] for parameter in parameters):
            parameters.append(copy.deepcopy(IF_NONE_MATCH))
        answers.setdefault("304", copy.deepcopy(NOT_MODIFIED))
        ok = answers.get("200")
        if ok is not None:
            names = ["ETag", "Cache-Control"] + (["Link"] if _is_page(ok, schemas) else [])
            ok.setdefault("headers", {}).update(_refs(*names))
            answers["304"].setdefault("headers", {}).update(_refs("ETag", "Cache-Control"))
    if method.upper() not in BODYLESS_METHODS:
        answers.setdefault("413", copy.deepcopy(PAYLOAD_TOO_LARGE))
    if limited:
        answers.setdefault("429", copy.deepcopy(TOO_MANY_REQUESTS))
    answers.setdefault("500", copy.deepcopy(INTERNAL_ERROR))
    for status, answer in answers.items():
        headers = answer.setdefault("headers", {})
        headers.update(_refs("X-Request-ID"))
        if limited and status in {"200", "429"}:
            headers.update(_refs(*RATE_HEADERS))
        if status in {"429", "503"}:
            headers.update(_refs("Retry-After"))
    operation["responses"] = dict(sorted(answers.items()))


def document_http_behaviour(schema: dict[str, Any], *, rate_limited: bool) -> None:
    """Add 304, 413 and 500; caching, paging and request id headers; If-None-Match; and, on a server that
    limits rates (SECTORFACTS_RATE_LIMIT), 429 and the rate limit headers: the document describes the
    server that serves it, and one that limits nothing never answers 429."""
    components = schema.setdefault("components", {})
    schemas = components.get("schemas", {})
    used = HEADERS if rate_limited else {k: v for k, v in HEADERS.items() if k not in RATE_HEADERS}
    components["headers"] = {**components.get("headers", {}), **used}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                _document_operation(path, method, operation, schemas, rate_limited=rate_limited)
