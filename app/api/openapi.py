"""OpenAPI response documentation: real examples from the seeded data, and the error answers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from app.schemas.common import Problem

Responses = dict[int | str, dict[str, Any]]

EXAMPLES_FILE = Path(__file__).resolve().parent / "examples.json"


@cache
def recorded_examples() -> dict[str, Any]:
    """Answers recorded from the seeded database by `python -m tests.record_examples`."""
    if not EXAMPLES_FILE.exists():
        return {}
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return loaded


def _content(media_type: str, example: str) -> dict[str, Any]:
    recorded = recorded_examples()
    return {media_type: {"example": recorded[example]} if example in recorded else {}}


def ok(example: str) -> Responses:
    """The 200 answer's documentation, with the example recorded from the seeded database."""
    return {200: {"content": _content("application/json", example)}}


def _problem_doc(description: str, example: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": _content("application/problem+json", example),
    }


NOT_FOUND: Responses = {404: _problem_doc("No such resource.", "problem_not_found")}
INVALID: Responses = {
    422: _problem_doc("Invalid parameters or unknown filter values.", "problem_unknown_filter")
}
UNAVAILABLE: Responses = {503: _problem_doc("The database is unavailable.", "problem_unavailable")}


def responses(example: str, *errors: Responses) -> Responses:
    """Documentation for a route: its 200 example plus each error answer it can give."""
    documented = ok(example)
    for error in (*errors, UNAVAILABLE):
        documented |= error
    return documented
