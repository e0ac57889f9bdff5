"""Helpers for the API tests: walking pages, checking problem answers, expectations computed from the seed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

from app.schemas.annotations import ClaimIn
from app.services.annotations import SeedData

PROBLEM_JSON = "application/problem+json"
Params = Sequence[tuple[str, str | int]]
Json = dict[str, Any]


def ok_json(response: Response) -> Any:
    """The JSON body of a 200 answer, failing with the body when the status is not 200."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def get_json(client: TestClient, path: str, params: Params = ()) -> Any:
    """GET `path` and return the JSON body of its 200 answer."""
    return ok_json(client.get(path, params=list(params)))


def assert_problem(response: Response, status: int, problem_type: str | None = None) -> Json:
    """Check an RFC 9457 problem details answer and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON
    body: Json = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if problem_type is not None:
        assert body["type"] == f"/problems/{problem_type}"
    return body


def assert_client_error(response: Response) -> Json:
    """A 4xx problem answer (any 4xx): hostile input must never cause a 5xx."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    return assert_problem(response, response.status_code)


def walk(client: TestClient, path: str, params: Params = (), *, limit: int = 20) -> tuple[list[Json], int]:
    """Every item of a list, following `meta.next_cursor` until null; also the `meta.total` of each page.

    Fails if a page's total differs from the first page's, or if the walk does not end.
    """
    items: list[Json] = []
    totals: set[int] = set()
    cursor: str | None = None
    for _ in range(1000):
        query: list[tuple[str, str | int]] = [*params, ("limit", limit)]
        if cursor is not None:
            query.append(("cursor", cursor))
        body = get_json(client, path, query)
        assert set(body) == {"data", "meta"}
        # `undated_left_out` only on a claim list given `as_of`.
        assert set(body["meta"]) - {"undated_left_out"} == {"total", "limit", "next_cursor"}
        assert body["meta"]["limit"] == limit
        assert len(body["data"]) <= limit
        items.extend(body["data"])
        totals.add(body["meta"]["total"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            assert len(totals) == 1, totals
            return items, totals.pop()
        assert isinstance(cursor, str)
        assert len(body["data"]) == limit, "a page before the last one must be full"
    raise AssertionError(f"walking {path} did not end")


def ids(items: Iterable[Json]) -> list[str]:
    """The `id` of each item, in order."""
    return [item["id"] for item in items]


def fold(text: str) -> str:
    """How the API compares names: case-insensitively, curly apostrophes as straight ones."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


def entity_slug_by_key(seed: SeedData) -> dict[str, str]:
    """Every slug, name and alias of every entity, folded, to the entity's slug."""
    found: dict[str, str] = {}
    for entity in seed.annotations.entities:
        for key in (entity.slug, entity.name, *entity.aliases):
            found[fold(key)] = entity.slug
    return found


def seed_order(seed: SeedData) -> list[ClaimIn]:
    """The seed's claims in the API's default order: document, then span start (end and id break ties)."""
    return sorted(seed.annotations.claims, key=lambda c: c.order_key)


def expected_ids(
    seed: SeedData,
    *,
    themes: Iterable[str] = (),
    entities: Iterable[str] = (),
    documents: Iterable[str] = (),
    kinds: Iterable[str] = (),
) -> list[str]:
    """Ids of the seed claims matching the filters (values OR'ed, filters AND'ed), in default order.

    `entities` may be slugs, names or aliases in any case.
    """
    by_key = entity_slug_by_key(seed)
    theme_set = {t.lower() for t in themes}
    entity_set = {by_key[fold(e)] for e in entities}
    document_set = set(documents)
    kind_set = {k.lower() for k in kinds}
    return [
        claim.id
        for claim in seed_order(seed)
        if (not theme_set or theme_set & set(claim.themes))
        and (not entity_set or entity_set & set(claim.entities))
        and (not document_set or claim.document in document_set)
        and (not kind_set or claim.kind in kind_set)
    ]


def claim_by_id(seed: SeedData, claim_id: str) -> ClaimIn:
    """The seed claim with this id."""
    return next(claim for claim in seed.annotations.claims if claim.id == claim_id)
