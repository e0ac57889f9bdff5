"""Anchors that survive a new version of their document: quote selectors, replacing a document's text,
exact re-anchoring, orphaned claims, and the old versions kept readable."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.services.anchoring import CONTEXT
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, assert_problem, get_json, walk
from tests.curation import Curator

DOCUMENT = f"/v1/documents/{DOCUMENT_ID}"
CITED = "/v1/documents/gulf-news-2019-uber-careem-innovation-in-dubai"
INSERTED = "Editor's note: this article was updated.\n\n"


def _context(claim: Json) -> str:
    quote = claim["anchor"]["quote"]
    return str(quote["prefix"] + quote["exact"] + quote["suffix"])


def _count(text: str, needle: str) -> int:
    return sum(1 for at in range(len(text)) if text.startswith(needle, at))


def test_every_article_claim_has_selectors_that_find_it_once(
    api_claims: list[Json], document_text: str
) -> None:
    quoted = [claim for claim in api_claims if claim["basis"] == "quote"]
    assert quoted
    for claim in quoted:
        anchor = claim["anchor"]
        start, end = claim["span"]["start"], claim["span"]["end"]
        assert anchor["document_version"] == 1
        assert anchor["status"] == "anchored"
        assert anchor["position"] == {"type": "TextPositionSelector", "start": start, "end": end}
        quote = anchor["quote"]
        assert quote["type"] == "TextQuoteSelector"
        assert quote["exact"] == claim["quote"] == document_text[start:end]
        assert quote["prefix"] == document_text[max(0, start - CONTEXT) : start]
        assert quote["suffix"] == document_text[end : end + CONTEXT]
        assert _count(document_text, _context(claim)) == 1, claim["id"]
    paraphrases = [claim for claim in api_claims if claim["basis"] == "paraphrase"]
    assert paraphrases
    assert all(claim["anchor"] is None for claim in paraphrases)


def test_jsonld_carries_both_selectors(client: TestClient) -> None:
    params: list[tuple[str, str | int]] = [("document", DOCUMENT_ID), ("limit", 1)]
    response = client.get("/v1/claims", params=[*params, ("format", "jsonld")])
    assert response.status_code == 200, response.text
    node = response.json()["@graph"][0]
    claim = get_json(client, "/v1/claims", params)["data"][0]
    position, quote = node["appearance"]["oa:hasSelector"]
    assert position == {
        "@type": "oa:TextPositionSelector",
        "oa:start": claim["span"]["start"],
        "oa:end": claim["span"]["end"],
    }
    selector = claim["anchor"]["quote"]
    assert quote == {
        "@type": "oa:TextQuoteSelector",
        "oa:exact": selector["exact"],
        "oa:prefix": selector["prefix"],
        "oa:suffix": selector["suffix"],
    }
    assert node["appearance"]["isPartOf"]["version"] == 1


def test_documents_show_their_version_and_orphans(client: TestClient) -> None:
    document = get_json(client, DOCUMENT)
    assert document["current_version"] == 1
    assert document["orphaned_claims"] == 0
    cited = get_json(client, CITED)
    assert cited["current_version"] is None
    assert cited["orphaned_claims"] == 0
    versions = get_json(client, f"{DOCUMENT}/versions")
    assert versions["meta"]["total"] == 1
    (first,) = versions["data"]
    assert first["version"] == 1
    assert first["current"] is True
    assert first["sha256"] == document["sha256"]
    assert first["length"] == document["length"]
    assert get_json(client, f"{DOCUMENT}/versions/1")["text"] == document["text"]
    assert get_json(client, f"{CITED}/versions")["meta"]["total"] == 0
    assert_problem(client.get(f"{DOCUMENT}/versions/2"), 404, "not-found")
    assert_problem(client.get(f"{CITED}/versions/1"), 404, "not-found")
    assert_problem(client.get("/v1/documents/no-such-document/versions"), 404, "not-found")
    assert_problem(client.get(f"{DOCUMENT}/versions/0"), 422)


def _edited(text: str, claims: list[Json]) -> tuple[str, str, str, int]:
    """The article edited three ways: a sentence inserted at the start (every offset shifts), one quoted
    passage altered (its claim cannot follow), another duplicated with its context (ambiguous)."""
    altered, duplicated = claims[5], claims[20]
    start, end = altered["span"]["start"], altered["span"]["end"]
    middle = (start + end) // 2
    text = text[:middle] + "[sic]" + text[middle:]
    text = text + "\n\n" + _context(duplicated) + "\n"
    return INSERTED + text, altered["id"], duplicated["id"], middle


def test_replacing_the_text_reanchors_exactly_and_orphans_the_rest(curator: Curator) -> None:
    client = curator.client
    old = get_json(client, DOCUMENT)
    claims, _ = walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)
    new_text, altered, duplicated, middle = _edited(old["text"], claims)
    # Expected from the selectors alone: anchored where the context occurs exactly once in the new text.
    expected_orphans = sorted(c["id"] for c in claims if _count(new_text, _context(c)) != 1)
    # In the seed no other quote's context reaches into the two passages.
    assert expected_orphans == sorted([altered, duplicated])

    changes_before = curator.change_count()
    answer = curator.write(
        "POST",
        f"{DOCUMENT}/versions",
        {"text": new_text, "note": "An edited copy"},
        if_match=curator.etag(DOCUMENT),
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"{DOCUMENT}/versions/2"
    replaced = answer.json()
    assert replaced["version"] == 2
    assert replaced["length"] == len(new_text)
    assert sorted(replaced["orphaned"]) == expected_orphans
    assert replaced["reanchored"] == len(claims) - len(expected_orphans)
    # One change for the document, one for each claim that moved or was orphaned.
    assert curator.change_count() == changes_before + 1 + len(claims)

    document = get_json(client, DOCUMENT)
    assert document["text"] == new_text
    assert document["current_version"] == 2
    assert document["orphaned_claims"] == len(expected_orphans)
    assert get_json(client, f"{DOCUMENT}/versions/1")["text"] == old["text"]
    version = get_json(client, f"{DOCUMENT}/versions/2")
    assert version["text"] == new_text
    assert version["note"] == "An edited copy"
    assert version["current"]
    assert [v["current"] for v in get_json(client, f"{DOCUMENT}/versions")["data"]] == [False, True]

    by_id = {c["id"]: c for c in claims}
    after, _ = walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)
    for claim in after:
        anchor, span, before = claim["anchor"], claim["span"], by_id[claim["id"]]
        assert claim["quote"] == before["quote"]
        assert anchor["position"] == {"type": "TextPositionSelector", **span}
        if claim["id"] in expected_orphans:
            assert anchor["status"] == "orphaned"
            assert anchor["document_version"] == 1
            assert span == before["span"]
            assert old["text"][span["start"] : span["end"]] == claim["quote"]
        else:
            assert anchor["status"] == "anchored"
            assert anchor["document_version"] == 2
            assert new_text[span["start"] : span["end"]] == claim["quote"]
            assert _count(new_text, _context(claim)) == 1
            # Every offset moved by the inserted sentence, and past the altered passage by "[sic]" too.
            shift = len(INSERTED) + (len("[sic]") if before["span"]["start"] >= middle else 0)
            assert span == {"start": before["span"]["start"] + shift, "end": before["span"]["end"] + shift}
    first = next(c for c in after if c["id"] == claims[0]["id"])
    assert first["span"]["start"] == claims[0]["span"]["start"] + len(INSERTED)

    orphans, total = walk(client, "/v1/claims", [("orphaned", "true")], limit=100)
    assert sorted(c["id"] for c in orphans) == expected_orphans
    assert total == len(expected_orphans)
    anchored = get_json(client, "/v1/claims", [("orphaned", "false"), ("limit", 1)])
    assert (
        anchored["meta"]["total"] == get_json(client, "/v1/claims", [("limit", 1)])["meta"]["total"] - total
    )
    theme = claims[5]["themes"][0]["slug"]
    themed = get_json(client, "/v1/claims", [("theme", theme), ("orphaned", "true"), ("limit", 100)])
    assert {c["id"] for c in themed["data"]} == {
        c["id"] for c in orphans if theme in {t["slug"] for t in c["themes"]}
    }

    history = get_json(client, f"{DOCUMENT}/history")["data"]
    assert history[-1]["action"] == "update"
    assert history[-1]["before"]["current_version"] == 1
    assert history[-1]["after"]["current_version"] == 2
    claim_history = get_json(client, f"/v1/claims/{altered}/history")["data"]
    assert claim_history[-1]["after"]["anchor"]["status"] == "orphaned"

    # A curator places the orphan again: its quote as it now reads, found once in the current text.
    orphan = by_id[altered]
    fixed_quote = new_text[
        orphan["span"]["start"] + len(INSERTED) : orphan["span"]["end"] + len(INSERTED) + 5
    ]
    fixed = curator.write("PATCH", f"/v1/claims/{altered}", {"quote": fixed_quote}, if_match="current")
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["anchor"]["status"] == "anchored"
    assert fixed.json()["anchor"]["document_version"] == 2
    assert get_json(client, DOCUMENT)["orphaned_claims"] == len(expected_orphans) - 1


def test_a_stale_or_missing_if_match_changes_nothing(curator: Curator) -> None:
    client = curator.client
    etag = curator.etag(DOCUMENT)
    renamed = curator.write("PATCH", DOCUMENT, {"title": "Renamed"}, if_match=etag)
    assert renamed.status_code == 200
    text = get_json(client, DOCUMENT)["text"]
    changes = curator.change_count()
    stale = curator.write("POST", f"{DOCUMENT}/versions", {"text": INSERTED + text}, if_match=etag)
    assert_problem(stale, 412, "precondition-failed")
    assert_problem(curator.write("POST", f"{DOCUMENT}/versions", {"text": INSERTED + text}), 428)
    assert curator.change_count() == changes
    assert get_json(client, DOCUMENT)["text"] == text
    assert get_json(client, f"{DOCUMENT}/versions")["meta"]["total"] == 1


def test_refusals(refusing_curator: Curator) -> None:
    curator = refusing_curator
    changes = curator.change_count()
    cited = curator.write("POST", f"{CITED}/versions", {"text": "Some text."}, if_match=curator.etag(CITED))
    assert_problem(cited, 409, "conflict")
    text = get_json(curator.client, DOCUMENT)["text"]
    etag = curator.etag(DOCUMENT)
    same = curator.write("POST", f"{DOCUMENT}/versions", {"text": text}, if_match=etag)
    assert_problem(same, 409, "conflict")
    for body in (
        {"text": ""},
        {"text": "a\x00b"},
        {"text": "x" * 1_000_001},
        {},
        {"text": "ok", "extra": 1},
        {"text": "ok", "note": "a\nb"},
    ):
        assert_problem(curator.write("POST", f"{DOCUMENT}/versions", body, if_match=etag), 422)
    missing = curator.write("POST", "/v1/documents/no-such/versions", {"text": "x"}, if_match="*")
    assert_problem(missing, 404, "not-found")
    read_only = curator.write("POST", f"{DOCUMENT}/versions", {"text": "x"}, key="read", if_match="*")
    assert_problem(read_only, 403)
    assert curator.change_count() == changes
    assert get_json(curator.client, f"{DOCUMENT}/versions")["meta"]["total"] == 1


def test_an_orphan_is_tried_again_by_each_new_version(curator: Curator) -> None:
    client = curator.client
    original = get_json(client, DOCUMENT)["text"]
    claims, _ = walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)
    edited, altered, duplicated, _ = _edited(original, claims)
    second = curator.write("POST", f"{DOCUMENT}/versions", {"text": edited}, if_match=curator.etag(DOCUMENT))
    assert sorted(second.json()["orphaned"]) == sorted([altered, duplicated])
    # Each claim is tried by the selector of the version it is anchored in: the orphans by version 1's,
    # the others by version 2's (where the passage appended at the end lengthened the last suffixes).
    placed, _ = walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)
    expected = sorted(c["id"] for c in placed if _count(original, _context(c)) != 1)
    assert altered not in expected
    assert duplicated not in expected
    third = curator.write("POST", f"{DOCUMENT}/versions", {"text": original}, if_match=curator.etag(DOCUMENT))
    assert third.status_code == 201, third.text
    assert sorted(third.json()["orphaned"]) == expected
    assert third.json()["reanchored"] == len(claims) - len(expected)
    after = {c["id"]: c for c in walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)[0]}
    for claim in claims:
        if claim["id"] not in expected:
            assert after[claim["id"]]["span"] == claim["span"]
            assert after[claim["id"]]["anchor"]["document_version"] == 3
    for claim_id in (altered, duplicated):
        assert after[claim_id]["anchor"]["status"] == "anchored"
    assert get_json(client, DOCUMENT)["orphaned_claims"] == len(expected)
    assert get_json(client, f"{DOCUMENT}/versions")["meta"]["total"] == 3
