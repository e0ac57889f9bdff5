"""OpenAPI documentation of the write routes: success answers with their ETag, and every refusal."""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Response

from app.api.openapi import NOT_FOUND as NOT_FOUND  # the same 404 as the reads'; routes import it here
from app.api.openapi import UNAVAILABLE, Responses, illustrated, ok
from app.api.openapi_components import shared

PROBLEM_JSON = "application/problem+json"
BODY_EXAMPLES_FILE = Path(__file__).resolve().parent / "request_examples.json"
ETAG_HEADER = {
    "ETag": shared(
        "RevisionETag",
        {
            "description": 'The new revision\'s strong ETag, e.g. `"claim-pkit-038-r2-1f0c…"`: send it as '
            "If-Match with the next PATCH or DELETE.",
            "schema": {"type": "string"},
        },
    )
}


def _problem(
    component: str, status: int, description: str, name: str, title: str, detail: str, **extra: Any
) -> Responses:
    example = {"type": f"/problems/{name}", "title": title, "status": status, "detail": detail, **extra}
    return {
        status: shared(
            component, {"description": description, "content": {PROBLEM_JSON: {"example": example}}}
        )
    }


UNAUTHORIZED = _problem(
    "Unauthorized",
    401,
    "No API key, or an unknown or revoked one (with `WWW-Authenticate: Bearer`).",
    "unauthorized",
    "Unauthorized",
    "This request needs an API key: send `Authorization: Bearer <key>`.",
)
FORBIDDEN = _problem(
    "Forbidden",
    403,
    "The key's scope does not allow this request.",
    "forbidden",
    "Forbidden",
    "This request needs a key with scope 'write' or wider; this key's is 'read'.",
    scope="write",
)
CONFLICT = _problem(
    "Conflict",
    409,
    "A slug, id or name is taken, or the resource is still in use.",
    "conflict",
    "Conflict",
    "A theme 'outlook' already exists.",
)
GONE = _problem(
    "Gone",
    410,
    "The resource was deleted; `history` (and the Link header) point to its history.",
    "gone",
    "Gone",
    "The claim 'pkit-068' was deleted; its history is at /v1/claims/pkit-068/history.",
    history="/v1/claims/pkit-068/history",
)
PRECONDITION_FAILED = _problem(
    "PreconditionFailed",
    412,
    "If-Match names a revision that is no longer current: someone else changed it first.",
    "precondition-failed",
    "Precondition failed",
    "The claim 'pkit-038' changed since you read it (If-Match does not name its current ETag). GET it "
    "again, reapply your edit, and send the new ETag.",
    current_etag='"claim-pkit-038-r3-5b1d0e6a8c2f4a17"',
)
PRECONDITION_REQUIRED = _problem(
    "PreconditionRequired",
    428,
    "If-Match is missing.",
    "precondition-required",
    "Precondition required",
    "This request needs an If-Match header with the ETag of the revision you edited (GET the resource to "
    "read its ETag).",
)
INVALID_WRITE = _problem(
    "InvalidBody",
    422,
    "Invalid body: unknown fields, a quote that is not the document's text at its span (or that occurs "
    "nowhere or more than once), unknown theme or entity slugs; `errors` lists each.",
    "invalid-request",
    "Invalid request",
    "body.quote: the quote occurs 5 times in document 'pakistan-it-sector' (at 691..700, 1046..1055, "
    "1812..1821, 3317..3326, 3604..3613); give `span` to choose one",
    errors=[
        {
            "location": "body.quote",
            "message": "the quote occurs 5 times in document 'pakistan-it-sector' (at 691..700, "
            "1046..1055, 1812..1821, 3317..3326, 3604..3613); give `span` to choose one",
        }
    ],
)

# The refusals of a stale or a missing If-Match, which every edit can meet.
IF_MATCH = (PRECONDITION_FAILED, PRECONDITION_REQUIRED)
# What an edit of a resource that can be deleted meets besides a bad body.
EDITS = (NOT_FOUND, GONE, *IF_MATCH)

_THEME_BEFORE = {
    "slug": "outlook",
    "name": "Outlook",
    "description": "Where Pakistan's IT sector is heading.",
    "claim_count": 6,
}
# Illustrative (the seeded database has no changes yet): what one change looks like.
CHANGE_EXAMPLE = {
    "id": 41,
    "at": "2026-11-28T09:15:02.417305Z",
    "key_name": "alice",
    "type": "theme",
    "resource_id": "outlook",
    "action": "update",
    "before": _THEME_BEFORE,
    "after": {**_THEME_BEFORE, "description": "Predictions and recommendations for Pakistan's IT sector."},
}


def changes_ok(*errors: Responses) -> Responses:
    """A change-log page's documentation, with an illustrative page of one change."""
    page = {"data": [CHANGE_EXAMPLE], "meta": {"total": 1, "limit": 20, "next_cursor": None}}
    documented: Responses = {200: {"content": illustrated("application/json", "changes_page", page)}}
    for error in (*errors, UNAVAILABLE):
        documented |= error
    return documented


def write_responses(status: int, example: str | None, *errors: Responses) -> Responses:
    """A write route's documentation: its success (the resource's recorded example), then its refusals."""
    documented: Responses = {}
    if example is not None:
        success = ok(example)[200]
        documented[status] = {
            **success,
            "description": "The resource as it now stands.",
            "headers": ETAG_HEADER,
        }
    else:
        documented[status] = {"description": "Done; nothing to answer."}
    for error in (UNAUTHORIZED, FORBIDDEN, INVALID_WRITE, *errors, UNAVAILABLE):
        documented |= error
    return documented


# The documentation lists the write routes (but the context notes') under this tag, apart from the reads.
CURATION: list[str | Enum] = ["curation"]


def write_route(status: int, summary: str, example: str | None, *errors: Responses) -> dict[str, Any]:
    """A write route's decorator arguments: status, summary and documented answers (no example: no body)."""
    arguments: dict[str, Any] = {
        "status_code": status,
        "summary": summary,
        "responses": write_responses(status, example, *errors),
    }
    if example is None:
        arguments["response_class"] = Response
    return arguments


@cache
def _body_examples() -> dict[str, dict[str, Any]]:
    examples: dict[str, dict[str, Any]] = json.loads(BODY_EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


def body_examples(name: str) -> dict[str, Any]:
    """The request bodies a write route shows as examples, by name, from `request_examples.json`."""
    return _body_examples()[name]
