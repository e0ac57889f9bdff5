"""Hostile input catalogue: one row per class of malicious or malformed input, with the exact answer.

Every row is sent with a valid write key (so only the input can be what is refused) to an app on a seeded
database of this module's own; none may answer 5xx, refusals are RFC 9457 problems, and nothing may change
in the database. docs/reliability.md lists the same table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.models import data_tables
from tests.api.support import assert_problem
from tests.curation import Curator, curating
from tests.databases import fresh_database_url

MAX_BODY_BYTES = Settings.model_fields["max_body_bytes"].default
JSON = {"Content-Type": "application/json"}
THEME = json.dumps({"slug": "hostile", "name": "Hostile"})
CLAIM = {
    "statement": "x",
    "quote": "x",
    "kind": "fact",
    "document_id": "pakistan-it-sector",
    "themes": ["outlook"],
    "entities": [],
}


@dataclass(frozen=True)
class Hostile:
    """One class of hostile input: the request, and the status and problem type it must get."""

    method: str
    url: str
    status: int
    problem: str | None  # the problem type; None for a non-problem answer
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | str | None = None


CATALOGUE: dict[str, Hostile] = {
    "nul-byte-in-query": Hostile("GET", "/v1/claims?theme=%00", 422, "invalid-request"),
    "nul-byte-in-path": Hostile("GET", "/v1/claims/pkit%00", 422, "invalid-request"),
    "nul-byte-in-body": Hostile(
        "POST", "/v1/themes", 422, "invalid-request", JSON, json.dumps({"slug": "a\u0000b", "name": "x"})
    ),
    "overlong-query-string": Hostile("GET", "/v1/search?q=" + "a" * 5000, 422, "invalid-request"),
    "overlong-path-segment": Hostile("GET", "/v1/claims/" + "a" * 5000, 422, "invalid-request"),
    "huge-number": Hostile("GET", "/v1/claims?limit=" + "9" * 30, 422, "invalid-request"),
    "negative-number": Hostile("GET", "/v1/claims?limit=-1", 422, "invalid-request"),
    "huge-id-beyond-int64": Hostile("GET", "/v1/notes/" + "9" * 30, 422, "invalid-request"),
    "huge-id-beyond-int32": Hostile("GET", "/v1/notes/2928314979", 404, "not-found"),
    "huge-numbers-in-body": Hostile(
        "POST",
        "/v1/claims",
        422,
        "invalid-request",
        JSON,
        json.dumps({**CLAIM, "span": {"start": 10**30, "end": 10**31}}),
    ),
    "negative-numbers-in-body": Hostile(
        "POST",
        "/v1/claims",
        422,
        "invalid-request",
        JSON,
        json.dumps({**CLAIM, "span": {"start": -5, "end": -1}}),
    ),
    "mass-assignment-read-only-field": Hostile(
        "POST",
        "/v1/themes",
        422,
        "invalid-request",
        JSON,
        json.dumps({"slug": "massy", "name": "M", "description": "d", "claim_count": 999}),
    ),
    "invalid-cursor": Hostile("GET", "/v1/claims?cursor=not-a-cursor", 422, "invalid-cursor"),
    "cursor-of-another-list": Hostile(
        "GET", "/v1/claims?cursor=WyJ0aGVtZXMiLDEsMiwzXQ", 422, "invalid-cursor"
    ),
    "overlong-cursor": Hostile("GET", "/v1/claims?cursor=" + "a" * 600, 422, "invalid-request"),
    "sql-metacharacters-in-filter": Hostile(
        "GET", "/v1/claims?theme=x%27%20OR%201%3D1--", 422, "unknown-filter-value"
    ),
    "sql-metacharacters-in-path": Hostile("GET", "/v1/claims/x';DROP%20TABLE%20claims;--", 404, "not-found"),
    "sql-metacharacters-in-search": Hostile(
        "GET", "/v1/search?q=%27%3B%20DROP%20TABLE%20claims%3B--", 200, None
    ),
    "fts-syntax-in-search": Hostile("GET", "/v1/search?q=%22%20NEAR(a%20b)%20OR%20*%20%5E", 200, None),
    "fts-operators-only": Hostile("GET", "/v1/search?q=AND%20OR%20NOT%20*", 422, "invalid-request"),
    "invalid-utf8-in-path": Hostile("GET", "/v1/claims/%FF%FE", 404, "not-found"),
    "invalid-utf8-in-query": Hostile("GET", "/v1/claims?theme=%FF%FE", 422, "unknown-filter-value"),
    "overlong-utf8-encoding": Hostile("GET", "/v1/claims/%C0%AF", 404, "not-found"),
    "lone-surrogate-utf8": Hostile("GET", "/v1/claims/%ED%A0%80", 404, "not-found"),
    "oversized-body": Hostile(
        "POST", "/v1/themes", 413, "payload-too-large", JSON, b'{"slug":"' + b"a" * MAX_BODY_BYTES + b'"}'
    ),
    "form-content-type-on-write": Hostile(
        "POST",
        "/v1/themes",
        422,
        "invalid-request",
        {"Content-Type": "application/x-www-form-urlencoded"},
        "slug=hostile&name=Hostile",
    ),
    "text-content-type-on-write": Hostile(
        "POST", "/v1/themes", 422, "invalid-request", {"Content-Type": "text/plain"}, THEME
    ),
    "xml-on-write": Hostile(
        "POST", "/v1/themes", 422, "invalid-request", {"Content-Type": "application/xml"}, "<a/>"
    ),
    "no-content-type-on-write": Hostile("POST", "/v1/themes", 422, "invalid-request", {}, THEME),
    # Bodies FastAPI cannot decode at all: the same documented 422 as malformed JSON.
    "deeply-nested-json-array": Hostile(
        "POST", "/v1/themes", 422, "invalid-request", JSON, "[" * 100_000 + "]" * 100_000
    ),
    "deeply-nested-json-object": Hostile(
        "POST", "/v1/themes", 422, "invalid-request", JSON, '{"slug":' + '{"a":' * 5000 + "1" + "}" * 5001
    ),
    "invalid-utf8-body": Hostile("POST", "/v1/themes", 422, "invalid-request", JSON, b'{"slug":"\xff\xfe"}'),
    # Not refused: the bad X-Request-ID is replaced by a fresh one, never echoed.
    "crlf-in-x-request-id": Hostile(
        "GET", "/v1/claims?limit=1", 200, None, {"X-Request-ID": "abc\r\nSet-Cookie: x=1"}
    ),
    "huge-x-request-id": Hostile("GET", "/v1/claims?limit=1", 200, None, {"X-Request-ID": "a" * 100_000}),
    "huge-authorization-header": Hostile(
        "POST", "/v1/themes", 401, "unauthorized", {**JSON, "Authorization": "Bearer " + "x" * 100_000}, THEME
    ),
}


@pytest.fixture(scope="module")
def hostile_curator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Curator]:
    """A writable seeded database for this module (every request here must leave it unchanged)."""
    with fresh_database_url(tmp_path_factory.mktemp("hostile")) as url, curating(url) as made:
        yield made


def _snapshot(curator: Curator) -> dict[str, Any]:
    """Row counts of every table (any write shows here or in the change log)."""
    with curator.database.read() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in data_tables()
        }


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_hostile_input_gets_its_exact_answer_and_changes_nothing(hostile_curator: Curator, name: str) -> None:
    row = CATALOGUE[name]
    before = _snapshot(hostile_curator), hostile_curator.change_count()
    headers = {**hostile_curator.auth("write"), **row.headers}
    response = hostile_curator.client.request(row.method, row.url, headers=headers, content=row.content)
    assert response.status_code < 500, response.text[:300]
    if row.problem is None:
        assert response.status_code == row.status, response.text[:300]
        assert response.headers["content-type"].startswith("application/json")
    else:
        body = assert_problem(response, row.status)
        expected = row.problem if row.problem == "about:blank" else f"/problems/{row.problem}"
        assert body["type"] == expected
    if "X-Request-ID" in row.headers:
        request_id = response.headers["x-request-id"]
        assert request_id != row.headers["X-Request-ID"]
        assert len(request_id) <= 128
        assert "\r" not in request_id
        assert "\n" not in request_id
        assert "set-cookie" not in response.headers
    assert (_snapshot(hostile_curator), hostile_curator.change_count()) == before
