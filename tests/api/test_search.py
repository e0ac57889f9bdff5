"""Ranked full-text search: stemming, apostrophes, phrases, prefixes, operators, snippets and paging."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.pagination import encode_cursor
from app.services.search.analyzer import terms
from tests.api.support import walk


def _hits(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/v1/search", params={"q": q, "limit": 100, **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["meta"]["next_cursor"] is None
    assert body["meta"]["total"] == len(body["data"])
    return list(body["data"])


def _ids(hits: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(hit["type"], hit["id"]) for hit in hits}


def _claim(client: TestClient, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v1/claims/{claim_id}").json()
    return body


def test_stemming_finds_other_forms_of_a_word(client: TestClient) -> None:
    freelancing = {hit["id"] for hit in _hits(client, "freelancers", type="claim") if hit["type"] == "claim"}
    texts = [
        (_claim(client, claim_id)["statement"] + " " + _claim(client, claim_id)["quote"])
        for claim_id in freelancing
    ]
    assert any("freelancing" in text.lower() for text in texts)
    assert not any("freelancers" in text.lower() for text in texts if "freelancing" not in text.lower())
    startups = {hit["id"] for hit in _hits(client, "startup", type="claim")}
    assert any("startups" in _claim(client, claim_id)["quote"].lower() for claim_id in startups)


def test_curly_and_straight_apostrophes_match_alike(client: TestClient) -> None:
    straight = _ids(_hits(client, "Pakistan's diaspora"))
    curly = _ids(_hits(client, "Pakistan\u2019s diaspora"))
    assert straight == curly
    assert straight
    assert any(
        "Pakistan\u2019s diaspora" in _claim(client, i)["quote"] for kind, i in straight if kind == "claim"
    )


def test_case_and_diacritics_do_not_matter(client: TestClient) -> None:
    assert _ids(_hits(client, "FREELANCING")) == _ids(_hits(client, "freelancing"))
    assert _ids(_hits(client, "f\u00edntech")) == _ids(_hits(client, "fintech"))
    assert _ids(_hits(client, "fintech"))


def test_phrase_requires_the_words_together_in_order(client: TestClient) -> None:
    phrase = _hits(client, '"brain gain"')
    words = _hits(client, "gain brain")
    assert phrase
    assert _ids(phrase) <= _ids(words)
    for hit in phrase:
        text = re.sub(r"<[^>]+>", "", hit["snippet"]).lower()
        assert "brain gain" in text or "brain gain" in hit["title"].lower()
    reversed_phrase = _hits(client, '"gain brain"')
    assert reversed_phrase == []


def test_prefix_matches_words_starting_with_it(client: TestClient) -> None:
    hits = _hits(client, "fin*")
    assert ("entity", "fintech") in _ids(hits)
    for hit in hits:
        marked = re.findall(r"<mark>(.*?)</mark>", hit["snippet"])
        assert marked
        assert all(word.lower().startswith("fin") for word in marked)


def test_or_is_the_union_and_and_the_intersection(client: TestClient) -> None:
    careem, daraz = _ids(_hits(client, "careem")), _ids(_hits(client, "daraz"))
    assert _ids(_hits(client, "careem OR daraz")) == careem | daraz
    assert _ids(_hits(client, "careem AND daraz")) == careem & daraz
    assert _ids(_hits(client, "careem daraz")) == careem & daraz


def test_not_and_minus_exclude_matches(client: TestClient) -> None:
    careem, invest = _ids(_hits(client, "careem")), _ids(_hits(client, "invest*"))
    assert invest & careem
    assert _ids(_hits(client, "careem NOT invest*")) == careem - invest
    assert _ids(_hits(client, "careem -invest*")) == careem - invest


def test_hits_are_ranked_best_first_with_marked_escaped_snippets(client: TestClient) -> None:
    hits = _hits(client, "pakistan")
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert "<mark>" in hit["snippet"]
        without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks
        assert ">" not in without_marks


def test_type_restricts_hits_and_unknown_type_is_refused(client: TestClient) -> None:
    assert {hit["type"] for hit in _hits(client, "pakistan", type="entity")} == {"entity"}
    assert {hit["type"] for hit in _hits(client, "pakistan", type="claim,theme")} <= {"claim", "theme"}
    answer = client.get("/v1/search", params={"q": "pakistan", "type": "claims"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


def test_search_pages_walk_every_hit_once_in_rank_order(client: TestClient) -> None:
    everything = _hits(client, "pakistan OR sector")
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "pakistan OR sector", "limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/search", params=params).json()
        walked += body["data"]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert walked == everything


def test_claims_q_combines_with_filters_and_ranks_by_relevance(client: TestClient) -> None:
    matching = {hit["id"] for hit in _hits(client, "pakistan", type="claim")}
    theme = {
        c["id"]
        for c in client.get("/v1/claims", params={"theme": "talent-workforce", "limit": 100}).json()["data"]
    }
    body = client.get(
        "/v1/claims", params={"q": "pakistan", "theme": "talent-workforce", "limit": 100}
    ).json()
    assert {c["id"] for c in body["data"]} == matching & theme
    assert body["meta"]["total"] == len(matching & theme)
    by_position = client.get(
        "/v1/claims", params={"q": "pakistan", "theme": "talent-workforce", "sort": "position", "limit": 100}
    ).json()["data"]
    assert [c["span"]["start"] for c in by_position] == sorted(c["span"]["start"] for c in by_position)
    assert {c["id"] for c in by_position} == matching & theme


def test_claims_relevance_order_matches_search_order(client: TestClient) -> None:
    ranked = [hit["id"] for hit in _hits(client, "startup OR ecosystem", type="claim")]
    walked: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "startup OR ecosystem", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/claims", params=params).json()
        walked += [claim["id"] for claim in body["data"]]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert sorted(walked) == sorted(ranked)
    assert len(walked) == len(set(walked))


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "(unbalanced",
        "unbalanced)",
        "AND",
        "OR careem",
        "careem NOT",
        "title:careem",
        "search_fts:careem",
        "careem*)",
        '"" careem',
        "careem^2",
        "NEAR(careem daraz)",
        "'; DROP TABLE claim; --",
        "\u00e9\u00e8\u00ea careem",
        "careem \U0001f600",
        "x" * 500,
    ],
)
def test_hostile_queries_are_read_as_words_never_a_server_error(client: TestClient, q: str) -> None:
    for path in ("/v1/search", "/v1/claims"):
        answer = client.get(path, params={"q": q})
        assert answer.status_code in {200, 422}, (path, answer.text)
        if answer.status_code == 422:
            assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "q", ["\x00", "careem\x00", "x" * 10_000, "\U0001f600", "-careem", "NOT careem", "   "]
)
def test_unsearchable_queries_are_refused_with_problem_details(client: TestClient, q: str) -> None:
    answer = client.get("/v1/search", params={"q": q})
    assert answer.status_code == 422
    assert answer.json()["type"] == "/problems/invalid-request"


def test_autocomplete_suggests_by_name_word_and_alias_prefix(client: TestClient) -> None:
    careem = client.get("/v1/autocomplete", params={"q": "car"}).json()["data"]
    assert careem[0]["slug"] == "careem"
    entity = client.get("/v1/entities/careem").json()
    assert careem[0]["entity_type"] == entity["type"]
    assert careem[0]["claim_count"] == entity["claim_count"]
    by_alias = client.get("/v1/autocomplete", params={"q": "daraz.p"}).json()["data"]
    assert [(s["slug"], s["matched"]) for s in by_alias] == [("daraz", "Daraz.pk")]
    by_word = {s["slug"] for s in client.get("/v1/autocomplete", params={"q": "giant"}).json()["data"]}
    assert "international-tech-giants" in by_word
    themes = client.get("/v1/autocomplete", params={"q": "talent"}).json()["data"]
    assert ("theme", "talent-workforce") in {(s["type"], s["slug"]) for s in themes}
    counts = [s["claim_count"] for s in client.get("/v1/autocomplete", params={"q": "p"}).json()["data"]]
    assert counts == sorted(counts, reverse=True)


def test_autocomplete_bounds_its_input(client: TestClient) -> None:
    assert client.get("/v1/autocomplete", params={"q": "c", "limit": 21}).status_code == 422
    assert client.get("/v1/autocomplete", params={"q": ""}).status_code == 422
    assert client.get("/v1/autocomplete", params={"q": "%"}).json()["data"] == []


def test_every_claim_is_findable_by_the_words_of_its_quote(client: TestClient) -> None:
    """The index holds every claim: searching a claim's own rarest-looking word (of its quote, or of its
    statement for a paraphrase, which has no quote) finds it."""
    page, total = walk(client, "/v1/claims", limit=100)
    assert total == len(page)
    for claim in page:
        words = claim["quote"] if claim["basis"] == "quote" else claim["statement"]
        longest = max(words.replace("\u2019", " ").split(), key=len).strip(".,")
        if not terms(longest):
            continue
        found = {hit["id"] for hit in _hits(client, longest, type="claim")}
        assert claim["id"] in found, (claim["id"], longest)


def test_a_page_past_the_last_keeps_the_total(client: TestClient) -> None:
    """A cursor past every match answers no hits and still the search's total (on PostgreSQL the count
    then runs on its own, as no page row carries it)."""
    first = client.get("/v1/search", params={"q": "software"}).json()
    assert first["meta"]["total"] > 0
    past = encode_cursor("search", [-1.0, "~", "~"])
    body = client.get("/v1/search", params={"q": "software", "cursor": past}).json()
    assert body["data"] == []
    assert body["meta"]["total"] == first["meta"]["total"]
    assert body["meta"]["next_cursor"] is None
