"""Writing claims: each quote is the document's text at its span; each refusal says why and writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.services.annotations import SeedData
from app.services.copying import table_dump
from tests.api.conftest import DOCUMENT_FILE
from tests.api.support import assert_problem, get_json
from tests.curation import Curator, Json

TEXT = DOCUMENT_FILE.read_text(encoding="utf-8")
NEW_CLAIM: Json = {
    "document": "pakistan-it-sector",
    "statement": "Pakistan's tech sector will create jobs.",
    "quote": "creating jobs",
    "kind": "prediction",
    "themes": ["outlook", "economic-impact"],
    "entities": ["pakistan"],
}


def _article_id(seed: SeedData, after: int = 1) -> str:
    """The id a new claim of the article gets: in the style of its claims, `after` past the highest."""
    numbers = [
        int(match[1]) for c in seed.annotations.claims if (match := re.fullmatch(r"pkit-(\d{3})", c.id))
    ]
    return f"pkit-{max(numbers) + after:03d}"


def _claim(curator: Curator, claim_id: str) -> Json:
    found: Json = get_json(curator.client, f"/v1/claims/{claim_id}")
    return found


def test_create_with_only_the_quote_finds_its_one_span(curator: Curator, seed_data: SeedData) -> None:
    new_id = _article_id(seed_data)
    article_claims = len([c for c in seed_data.annotations.claims if c.document == "pakistan-it-sector"])
    theme_before = get_json(curator.client, "/v1/themes/outlook")["claim_count"]
    response = curator.write("POST", "/v1/claims", NEW_CLAIM)
    assert response.status_code == 201, response.text
    created = response.json()
    start = TEXT.index("creating jobs")
    assert created["span"] == {"start": start, "end": start + len("creating jobs")}
    assert created["id"] == new_id  # in the style of the document's claims
    assert response.headers["location"] == f"/v1/claims/{new_id}"
    assert response.headers["etag"].startswith(f'"claim-{new_id}-r1-')
    assert _claim(curator, new_id) == created
    assert [t["slug"] for t in created["themes"]] == ["economic-impact", "outlook"]  # in theme order
    # Every derived view is current at once: counts, facets, the document's claims, search.
    assert get_json(curator.client, "/v1/themes/outlook")["claim_count"] == theme_before + 1
    assert get_json(curator.client, "/v1/documents/pakistan-it-sector")["claim_count"] == article_claims + 1
    assert get_json(curator.client, "/v1/claims")["meta"]["total"] == len(seed_data.annotations.claims) + 1
    assert get_json(curator.client, "/v1/claims", [("theme", "outlook")])["meta"]["total"] == theme_before + 1
    predictions = get_json(client := curator.client, "/v1/claims/facets", [("kind", "prediction")])["total"]
    assert predictions == len(
        get_json(client, "/v1/claims", [("kind", "prediction"), ("limit", 100)])["data"]
    )
    listed = get_json(client, "/v1/claims", [("kind", "prediction"), ("limit", 100)])["data"]
    assert new_id in [c["id"] for c in listed]
    hits = get_json(curator.client, "/v1/search", [("q", "create jobs"), ("type", "claim")])["data"]
    assert new_id in [hit["id"] for hit in hits]


def test_create_with_a_span_that_fits(curator: Curator) -> None:
    start = TEXT.index("a vibrant hub")
    body = {**NEW_CLAIM, "quote": "a vibrant hub", "span": {"start": start, "end": start + 13}}
    response = curator.write("POST", "/v1/claims", body)
    assert response.status_code == 201, response.text
    assert response.json()["span"] == body["span"]


@pytest.mark.parametrize(
    ("change", "location", "words"),
    [
        ({"span": {"start": 10, "end": 23}}, "body.span", "does not match the document text at span 10..23"),
        ({"span": {"start": 4000, "end": 5000}}, "body.span", "outside the document"),
        ({"quote": "creating jobs in Lahore"}, "body.quote", "does not occur"),
        ({"quote": "IT sector"}, "body.quote", "occurs 5 times"),
        ({"themes": ["outlook", "no-such-theme"]}, "body.themes[1]", "unknown theme 'no-such-theme'"),
        ({"entities": ["careem", "uber"]}, "body.entities[1]", "unknown entity 'uber'"),
        ({"themes": ["outlook", "outlook"]}, "body.themes[1]", "listed twice"),
        ({"document": "no-such-document"}, "body.document", "unknown document"),
        ({"colour": "blue"}, "body.colour", "Extra inputs are not permitted"),
        ({"id": "pkit-999"}, "body.id", "Extra inputs are not permitted"),
        ({"kind": "rumour"}, "body.kind", ""),
        ({"themes": []}, "body.themes", ""),
        ({"statement": "   "}, "body.statement", ""),
        ({"statement": "A\x00B"}, "body.statement", "NUL"),
        ({"quote": "x" * 5001}, "body.quote", ""),
        ({"themes": ["Not A Slug"]}, "body.themes.0", ""),
    ],
)
def test_create_refusals_name_the_field_and_write_nothing(
    refusing_curator: Curator, change: Json, location: str, words: str
) -> None:
    before = table_dump(refusing_curator.database)
    body = assert_problem(
        refusing_curator.write("POST", "/v1/claims", NEW_CLAIM | change), 422, "invalid-request"
    )
    assert any(error["location"] == location and words in error["message"] for error in body["errors"]), body
    assert table_dump(refusing_curator.database) == before


def test_every_problem_of_a_body_is_listed_at_once(refusing_curator: Curator) -> None:
    bad = NEW_CLAIM | {"quote": "IT sector", "themes": ["outlook", "nope"], "entities": ["uber"]}
    body = assert_problem(refusing_curator.write("POST", "/v1/claims", bad), 422, "invalid-request")
    assert {error["location"] for error in body["errors"]} == {
        "body.quote",
        "body.themes[1]",
        "body.entities[0]",
    }


def test_patch_changes_only_the_fields_given(curator: Curator) -> None:
    before = _claim(curator, "pkit-038")
    response = curator.write(
        "PATCH", "/v1/claims/pkit-038", {"statement": "Careem is homegrown."}, if_match="current"
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after == before | {"statement": "Careem is homegrown."}
    assert _claim(curator, "pkit-038") == after
    assert response.headers["etag"].startswith('"claim-pkit-038-r2-')


def test_patch_a_new_quote_is_located_and_a_new_span_must_fit(curator: Curator) -> None:
    response = curator.write(
        "PATCH", "/v1/claims/pkit-038", {"quote": "homegrown ride-hailing service"}, if_match="current"
    )
    assert response.status_code == 200, response.text
    start = TEXT.index("homegrown ride-hailing service")
    assert response.json()["span"] == {"start": start, "end": start + 30}
    refused = curator.write(
        "PATCH", "/v1/claims/pkit-038", {"span": {"start": 0, "end": 30}}, if_match="current"
    )
    body = assert_problem(refused, 422, "invalid-request")
    assert body["errors"][0]["location"] == "body.span"
    assert _claim(curator, "pkit-038")["span"] == {"start": start, "end": start + 30}


def test_patch_replaces_links_and_keeps_counts_current(curator: Curator) -> None:
    careem = get_json(curator.client, "/v1/entities/careem")["claim_count"]
    body = {"themes": ["outlook"], "entities": ["daraz"]}
    response = curator.write("PATCH", "/v1/claims/pkit-038", body, if_match="current")
    assert response.status_code == 200, response.text
    assert [t["slug"] for t in response.json()["themes"]] == ["outlook"]
    assert get_json(curator.client, "/v1/entities/careem")["claim_count"] == careem - 1
    assert "pkit-038" in [c["id"] for c in get_json(curator.client, "/v1/themes/outlook/claims")["data"]]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({}, "body"),
        ({"statement": None}, "body"),
        ({"document": "other"}, "body.document"),
        ({"id": "x"}, "body.id"),
        ({"themes": ["no-such-theme"]}, "body.themes[0]"),
    ],
)
def test_patch_refusals(refusing_curator: Curator, body: Json, location: str) -> None:
    refused = refusing_curator.write("PATCH", "/v1/claims/pkit-038", body, if_match="current")
    problem = assert_problem(refused, 422, "invalid-request")
    assert any(error["location"] == location for error in problem["errors"]), problem


def test_a_patch_that_changes_nothing_writes_nothing(curator: Curator) -> None:
    etag = curator.etag("/v1/claims/pkit-038")
    statement = _claim(curator, "pkit-038")["statement"]
    response = curator.write("PATCH", "/v1/claims/pkit-038", {"statement": statement}, if_match=etag)
    assert response.status_code == 200
    assert response.headers["etag"] == etag.removesuffix('-gzip"').removesuffix('"') + '"'
    assert curator.change_count() == 0


def test_delete_answers_410_with_a_link_to_the_history(curator: Curator, seed_data: SeedData) -> None:
    careem = [c for c in seed_data.annotations.claims if "careem" in c.entities and c.id != "pkit-038"]
    startups = [c for c in careem if "startups-entrepreneurship" in c.themes]
    response = curator.write("DELETE", "/v1/claims/pkit-038", if_match="current")
    assert response.status_code == 204
    assert response.content == b""
    gone = curator.client.get("/v1/claims/pkit-038")
    body = assert_problem(gone, 410, "gone")
    assert gone.headers["link"] == '</v1/claims/pkit-038/history>; rel="history"'
    assert body["history"] == "/v1/claims/pkit-038/history"
    assert get_json(curator.client, body["history"])["data"][-1]["action"] == "delete"
    assert_problem(
        curator.write("PATCH", "/v1/claims/pkit-038", {"statement": "S."}, if_match="*"), 410, "gone"
    )
    assert_problem(curator.write("DELETE", "/v1/claims/pkit-038", if_match="*"), 410, "gone")
    assert get_json(curator.client, "/v1/entities/careem")["claim_count"] == len(careem)
    assert get_json(curator.client, "/v1/claims", [("entity", "careem")])["meta"]["total"] == len(careem)
    assert get_json(curator.client, "/v1/claims")["meta"]["total"] == len(seed_data.annotations.claims) - 1
    theme = get_json(curator.client, "/v1/claims/facets", [("entity", "careem")])["facets"]["theme"]
    assert {"value": "startups-entrepreneurship", "count": len(startups)} in [
        {"value": v["value"], "count": v["count"]} for v in theme
    ]
    hits = get_json(curator.client, "/v1/search", [("q", "homegrown"), ("type", "claim")])["data"]
    assert "pkit-038" not in [hit["id"] for hit in hits]
    # Its notes went with it, and no other claim ever gets its id.
    assert_problem(curator.client.get("/v1/claims/pkit-038/context"), 410, "gone")


def test_a_deleted_claims_id_is_never_given_again(curator: Curator, seed_data: SeedData) -> None:
    first, second = _article_id(seed_data), _article_id(seed_data, after=2)
    assert curator.write("POST", "/v1/claims", NEW_CLAIM).json()["id"] == first
    assert curator.write("DELETE", f"/v1/claims/{first}", if_match="current").status_code == 204
    assert curator.write("POST", "/v1/claims", NEW_CLAIM).json()["id"] == second


def test_unknown_claims_answer_404(refusing_curator: Curator) -> None:
    for method, body in [("PATCH", {"statement": "S."}), ("DELETE", None)]:
        assert_problem(
            refusing_curator.write(method, "/v1/claims/pkit-999", body, if_match="*"), 404, "not-found"
        )


def test_a_refused_write_leaves_every_table_as_it_was(refusing_curator: Curator) -> None:
    before = table_dump(refusing_curator.database)
    attempts: list[tuple[str, str, Any]] = [
        ("POST", "/v1/claims", NEW_CLAIM | {"entities": ["pakistan", "nobody"]}),
        ("PATCH", "/v1/claims/pkit-001", {"themes": ["outlook", "nope"]}),
        ("PATCH", "/v1/claims/pkit-001", {"quote": "not in the text"}),
    ]
    for method, path, body in attempts:
        assert refusing_curator.write(method, path, body, if_match="*").status_code == 422
    assert table_dump(refusing_curator.database) == before
