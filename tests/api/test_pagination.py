"""Keyset pagination: `limit` 1..100 (default 20) and opaque `cursor`s, walked to the end on every list."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, Params, assert_problem, expected_ids, get_json, ids, walk

LISTS = ["/v1/claims", "/v1/themes", "/v1/entities", "/v1/documents"]


def _token(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _first_cursor(client: TestClient, path: str, params: Params = ()) -> str:
    body = get_json(client, path, [*params, ("limit", 1)])
    cursor = body["meta"]["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.mark.parametrize("limit", [1, 2, 7, 20, 67, 100])
def test_claims_walk_visits_every_claim_once_in_document_order(
    client: TestClient, seed_data: SeedData, limit: int
) -> None:
    claims, total = walk(client, "/v1/claims", limit=limit)
    got = ids(claims)
    assert len(got) == len(set(got)), "a claim was listed twice"
    assert got == expected_ids(seed_data), "gaps, extra claims or a different order"
    assert total == len(got)
    # The documented order: (document, span start, span end, id), a paraphrase (no span) at (0, 0).
    keys = [
        (c["document_id"], *((c["span"]["start"], c["span"]["end"]) if c["span"] else (0, 0)), c["id"])
        for c in claims
    ]
    assert keys == sorted(keys)


@pytest.mark.parametrize("limit", [1, 3, 100])
@pytest.mark.parametrize(
    "params",
    [
        [("theme", "sector-growth")],
        [("entity", "pakistan"), ("kind", "fact,opinion")],
        [("theme", "talent-workforce,government-policy"), ("entity", "Pakistan")],
    ],
    ids=["theme", "entity+kinds", "themes+entity"],
)
def test_claims_walk_with_a_filter_visits_exactly_the_filtered_set(
    client: TestClient, seed_data: SeedData, params: list[tuple[str, str]], limit: int
) -> None:
    claims, total = walk(client, "/v1/claims", params, limit=limit)
    got = ids(claims)
    filters: dict[str, list[str]] = {}
    for name, value in params:
        filters.setdefault(name, []).extend(value.split(","))
    expected = expected_ids(
        seed_data,
        themes=filters.get("theme", []),
        entities=filters.get("entity", []),
        kinds=filters.get("kind", []),
    )
    assert len(got) == len(set(got))
    assert got == expected
    assert total == len(expected)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/themes/sector-growth/claims", {"themes": ["sector-growth"]}),
        ("/v1/entities/Daraz.pk/claims", {"entities": ["daraz"]}),
        ("/v1/entities/pakistan/claims", {"entities": ["pakistan"]}),
        (f"/v1/documents/{DOCUMENT_ID}/claims", {"documents": [DOCUMENT_ID]}),
    ],
)
@pytest.mark.parametrize("limit", [1, 5])
def test_nested_claim_lists_walk_to_the_end(
    client: TestClient, seed_data: SeedData, path: str, expected: dict[str, list[str]], limit: int
) -> None:
    claims, total = walk(client, path, limit=limit)
    assert ids(claims) == expected_ids(seed_data, **expected)
    assert total == len(claims)


def test_claims_default_page_is_20_in_document_order(client: TestClient, seed_data: SeedData) -> None:
    body = get_json(client, "/v1/claims")
    assert body["meta"]["limit"] == 20
    assert body["meta"]["total"] == len(seed_data.annotations.claims)
    assert ids(body["data"]) == expected_ids(seed_data)[:20]
    assert isinstance(body["meta"]["next_cursor"], str)


def _pages_ending_exactly(total: int) -> list[int]:
    """Page counts whose pages (of at most 100) end exactly at the last of `total` claims."""
    return [pages for pages in range(1, total + 1) if total % pages == 0 and total // pages <= 100]


@pytest.mark.parametrize("which", ["one page", "several pages"])
def test_claims_page_ending_exactly_at_the_last_claim_has_no_next_cursor(
    client: TestClient, seed_data: SeedData, which: str
) -> None:
    total = len(seed_data.annotations.claims)
    fitting = _pages_ending_exactly(total)
    assert fitting[0] == 1, "all claims fit one page"
    assert len(fitting) >= 2, "and some pages of fewer"
    divisor = fitting[0] if which == "one page" else fitting[1]
    limit = total // divisor
    pages = 0
    cursor: str | None = None
    while True:
        params: list[tuple[str, str | int]] = [("limit", limit)]
        if cursor:
            params.append(("cursor", cursor))
        body = get_json(client, "/v1/claims", params)
        pages += 1
        assert len(body["data"]) == limit, "no empty trailing page"
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert pages == divisor


@pytest.mark.parametrize("limit", [1, 4, 100])
def test_themes_walk_lists_every_theme_once_in_source_order(
    client: TestClient, seed_data: SeedData, limit: int
) -> None:
    themes, total = walk(client, "/v1/themes", limit=limit)
    assert [t["slug"] for t in themes] == [t.slug for t in seed_data.annotations.themes]
    assert total == len(themes)


@pytest.mark.parametrize("limit", [1, 6, 100])
def test_entities_walk_lists_every_entity_once_by_name(
    client: TestClient, seed_data: SeedData, limit: int
) -> None:
    entities, total = walk(client, "/v1/entities", limit=limit)
    slugs = [e["slug"] for e in entities]
    assert len(slugs) == len(set(slugs))
    assert set(slugs) == {e.slug for e in seed_data.annotations.entities}
    assert [e["name"].casefold() for e in entities] == sorted(e["name"].casefold() for e in entities)
    assert total == len(entities)


@pytest.mark.parametrize("limit", [1, 3])
def test_entities_walk_with_a_type_filter_lists_exactly_that_type(
    client: TestClient, seed_data: SeedData, limit: int
) -> None:
    entities, total = walk(client, "/v1/entities", [("type", "group,industry")], limit=limit)
    expected = {e.slug for e in seed_data.annotations.entities if e.type in {"group", "industry"}}
    assert sorted(e["slug"] for e in entities) == sorted(expected)
    assert total == len(expected)


def test_documents_walk_lists_every_document(client: TestClient, seed_data: SeedData) -> None:
    documents, total = walk(client, "/v1/documents", limit=1)
    assert [d["id"] for d in documents] == sorted(d.id for d in seed_data.annotations.documents)
    assert total == len(documents)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", "101", "-1", str(2**64), "abc", "1.5", ""])
def test_list_limit_out_of_range_answers_422(client: TestClient, path: str, limit: str) -> None:
    body = assert_problem(client.get(path, params={"limit": limit}), 422, "invalid-request")
    assert "limit" in body["detail"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [1, 100])
def test_list_limit_bounds_are_accepted(client: TestClient, path: str, limit: int) -> None:
    body = get_json(client, path, [("limit", limit)])
    assert body["meta"]["limit"] == limit
    assert len(body["data"]) == min(limit, body["meta"]["total"])


FORGED = {
    "garbage": "garbage",
    "not-base64": "!!!!****",
    "not-json": base64.urlsafe_b64encode(b"not json").decode(),
    "not-utf8": base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    "object": _token({"kind": "claims"}),
    "null": _token(None),
    "kind-only": _token(["claims"]),
    "too-long-key": _token(["claims", DOCUMENT_ID, 0, 0, "pkit-001", "extra"]),
    "wrong-types": _token(["claims", 1, 2, 3, 4]),
    "bool-for-int": _token(["claims", DOCUMENT_ID, True, 0, "pkit-001"]),
    "float-for-int": _token(["claims", DOCUMENT_ID, 1.5, 0, "pkit-001"]),
    "huge-int": _token(["claims", DOCUMENT_ID, 2**63, 0, "pkit-001"]),
    "huger-int": _token(["claims", DOCUMENT_ID, 10**40, 0, "pkit-001"]),
    "unknown-list": _token(["no-such-list", 1, 1]),
    "nul": "\x00",
}


@pytest.mark.parametrize("cursor", list(FORGED.values()), ids=list(FORGED))
def test_claims_forged_cursor_answers_422(client: TestClient, cursor: str) -> None:
    assert_problem(client.get("/v1/claims", params={"cursor": cursor}), 422)


@pytest.mark.parametrize("cursor", list(FORGED.values()), ids=list(FORGED))
@pytest.mark.parametrize("path", ["/v1/themes", "/v1/entities", "/v1/documents"])
def test_other_lists_forged_cursor_answers_422(client: TestClient, path: str, cursor: str) -> None:
    assert_problem(client.get(path, params={"cursor": cursor}), 422)


@pytest.mark.parametrize(
    ("issued_by", "used_on"),
    [
        ("/v1/themes", "/v1/claims"),
        ("/v1/entities", "/v1/claims"),
        ("/v1/claims", "/v1/entities"),
        ("/v1/claims", "/v1/themes"),
        ("/v1/entities", "/v1/themes"),
        ("/v1/themes", "/v1/entities"),
        ("/v1/claims", "/v1/documents"),
        ("/v1/themes", "/v1/themes/sector-growth/claims"),
        ("/v1/entities", "/v1/entities/pakistan/claims"),
        ("/v1/themes", f"/v1/documents/{DOCUMENT_ID}/claims"),
    ],
)
def test_cursor_from_another_list_answers_422_invalid_cursor(
    client: TestClient, issued_by: str, used_on: str
) -> None:
    cursor = _first_cursor(client, issued_by)
    assert_problem(client.get(used_on, params={"cursor": cursor}), 422, "invalid-cursor")


def test_claims_tampered_cursor_answers_422(client: TestClient) -> None:
    cursor = _first_cursor(client, "/v1/claims")
    for tampered in (cursor[:-3], cursor[:5], cursor + "x", "x" + cursor, cursor[::-1]):
        assert_problem(client.get("/v1/claims", params={"cursor": tampered}), 422)


def test_cursor_longer_than_allowed_answers_422(client: TestClient) -> None:
    assert_problem(client.get("/v1/claims", params={"cursor": "A" * 10_000}), 422, "invalid-request")


def test_cursor_answer_is_a_problem_not_an_empty_page(client: TestClient) -> None:
    body: Json = client.get("/v1/claims", params={"cursor": "garbage"}).json()
    assert "data" not in body
