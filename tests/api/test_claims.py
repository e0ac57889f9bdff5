"""The claim contract: exact shape, quotes that match their spans, context notes, and GET /v1/claims/{id}."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.support import Json, assert_problem, claim_by_id, get_json

CLAIM_KEYS = {
    "id",
    "statement",
    "basis",
    "quote",
    "kind",
    "document_id",
    "span",
    "anchor",
    "source",
    "themes",
    "entities",
    "context",
    "relations",
    "corroboration",
    "validity",
    "quantities",
}
CLAIM_SOURCE_KEYS = {
    "document_id",
    "title",
    "publisher",
    "url",
    "published_date",
    "published_precision",
    "retrieved_date",
    "retrieved_precision",
    "text_held",
}
PRECISIONS = {4: "year", 7: "month", 10: "day"}


def _precision(date: str | None) -> str | None:
    return None if date is None else PRECISIONS[len(date)]


SOURCE_KEYS = {"title", "publisher", "url", "date"}
CLAIM_IDS = [claim.id for claim in read_annotations(DEFAULT_ANNOTATIONS).annotations.claims]


def _source(seed: SeedData, document_id: str) -> Json:
    document = next(d for d in seed.annotations.documents if d.id == document_id)
    return {
        "document_id": document.id,
        "title": document.title,
        "publisher": document.publisher,
        "url": document.url,
        "published_date": document.published_date,
        "published_precision": _precision(document.published_date),
        "retrieved_date": str(document.retrieved_date) if document.retrieved_date else None,
        "retrieved_precision": "day" if document.retrieved_date else None,
        "text_held": document.held,
    }


# How the other claim reads from this one, by whether this one is the relation's subject.
READINGS = {
    (True, "supports"): "supports",
    (True, "contradicts"): "contradicts",
    (True, "qualifies"): "qualifies",
    (True, "same-as"): "same_as",
    (True, "part-of"): "part_of",
    (False, "supports"): "supported_by",
    (False, "contradicts"): "contradicted_by",
    (False, "qualifies"): "qualified_by",
    (False, "same-as"): "same_as",
    (False, "part-of"): "has_part",
}


def _expected_relations(seed: SeedData, claim_id: str) -> list[Json]:
    """The claim's relations from the seed's relations list (without the ids the database gives them)."""
    found = []
    for relation in seed.annotations.relations:
        if claim_id not in (relation.subject, relation.object):
            continue
        is_subject = relation.subject == claim_id
        other = claim_by_id(seed, relation.object if is_subject else relation.subject)
        found.append(
            {
                "relation": READINGS[(is_subject, relation.type)],
                "type": relation.type,
                "note": relation.note,
                "claim": {
                    "id": other.id,
                    "statement": other.statement,
                    "basis": "quote" if other.quote is not None else "paraphrase",
                    "quote": other.quote,
                    "kind": other.kind,
                    "source": _source(seed, other.document),
                },
            }
        )
    return sorted(found, key=lambda link: (link["relation"], link["claim"]["id"]))


def _expected_corroboration(seed: SeedData, claim_id: str, relations: list[Json]) -> Json:
    """Distinct publishers (else documents) of the claims that support, contradict and qualify it, but
    the claim's own."""
    own = _source(seed, claim_by_id(seed, claim_id).document)

    def origin(source: Json) -> str:
        publisher = source["publisher"]
        return " ".join(publisher.split()).casefold() if publisher else f"document {source['document_id']}"

    counted = {"supported_by": "supporting_sources", "contradicted_by": "contradicting_sources"}
    counted["qualified_by"] = "qualifying_sources"
    sources: dict[str, set[str]] = {field: set() for field in counted.values()}
    for link in relations:
        source = link["claim"]["source"]
        other_document = source["document_id"] != own["document_id"]
        if link["relation"] in counted and other_document and origin(source) != origin(own):
            sources[counted[link["relation"]]].add(origin(source))
    return {field: len(found) for field, found in sources.items()}


def _expected_anchor(seed: SeedData, claim_id: str) -> Json | None:
    """A quoted claim's selectors in the seed's text (version 1): 32 code points of context each side."""
    claim = claim_by_id(seed, claim_id)
    if claim.span is None:
        return None
    text = seed.texts[claim.document]
    start, end = claim.span.start, claim.span.end
    return {
        "document_version": 1,
        "status": "anchored",
        "position": {"type": "TextPositionSelector", "start": start, "end": end},
        "quote": {
            "type": "TextQuoteSelector",
            "exact": claim.quote,
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[end : end + 32],
        },
    }


def _expected_claim(seed: SeedData, claim_id: str) -> Json:
    """The claim as the API should answer it, built from the seed file alone."""
    claim = claim_by_id(seed, claim_id)
    themes = {theme.slug: theme for theme in seed.annotations.themes}
    entities = {entity.slug: entity for entity in seed.annotations.entities}
    relations = _expected_relations(seed, claim_id)
    return {
        "id": claim.id,
        "statement": claim.statement,
        "basis": "quote" if claim.quote is not None else "paraphrase",
        "quote": claim.quote,
        "kind": claim.kind,
        "document_id": claim.document,
        "span": claim.span.model_dump() if claim.span is not None else None,
        "anchor": _expected_anchor(seed, claim_id),
        "source": _source(seed, claim.document),
        "themes": sorted(
            ({"slug": slug, "name": themes[slug].name} for slug in claim.themes), key=lambda t: t["slug"]
        ),
        "entities": sorted(
            (
                {"slug": slug, "name": entities[slug].name, "type": entities[slug].type}
                for slug in claim.entities
            ),
            key=lambda e: e["slug"],
        ),
        "context": [
            {"note": note.note, "sources": [source.model_dump(mode="json") for source in note.sources]}
            for note in claim.context
        ],
        "relations": relations,
        "corroboration": _expected_corroboration(seed, claim_id, relations),
        "validity": {
            "valid_from": (start := claim.validity.valid_from if claim.validity else None),
            "valid_from_precision": _precision(start),
            "valid_to": (end := claim.validity.valid_to if claim.validity else None),
            "valid_to_precision": _precision(end),
        },
        "quantities": [quantity.model_dump(mode="json") for quantity in claim.quantities],
    }


def _normalised(claim: Json) -> Json:
    """The claim with its themes and entities sorted by slug (their order is not part of the contract),
    and its relations without their ids (the database's), by reading and claim id."""
    relations = [{k: v for k, v in link.items() if k != "relation_id"} for link in claim["relations"]]
    return claim | {
        "themes": sorted(claim["themes"], key=lambda t: t["slug"]),
        "entities": sorted(claim["entities"], key=lambda e: e["slug"]),
        "relations": sorted(relations, key=lambda link: (link["relation"], link["claim"]["id"])),
    }


def _assert_claim_shape(claim: Any) -> None:
    assert isinstance(claim, dict)
    assert set(claim) == CLAIM_KEYS
    for key in ("id", "statement", "kind", "document_id"):
        assert isinstance(claim[key], str)
        assert claim[key]
    assert claim["kind"] in {"fact", "opinion", "prediction", "recommendation"}
    assert set(claim["source"]) == CLAIM_SOURCE_KEYS
    assert claim["source"]["document_id"] == claim["document_id"]
    if claim["basis"] == "paraphrase":
        # A cited document's claim: our paraphrase, with no quote and no span.
        assert claim["quote"] is None
        assert claim["span"] is None
        assert claim["source"]["text_held"] is False
    else:
        assert claim["basis"] == "quote"
        assert claim["source"]["text_held"] is True
        assert isinstance(claim["quote"], str)
        assert claim["quote"]
        assert set(claim["span"]) == {"start", "end"}
        assert isinstance(claim["span"]["start"], int)
        assert isinstance(claim["span"]["end"], int)
        assert 0 <= claim["span"]["start"] < claim["span"]["end"]
    assert claim["themes"], "every claim has at least one theme"
    for theme in claim["themes"]:
        assert set(theme) == {"slug", "name"}
        assert all(isinstance(value, str) for value in theme.values())
    for entity in claim["entities"]:
        assert set(entity) == {"slug", "name", "type"}
        assert all(isinstance(value, str) for value in entity.values())
    for note in claim["context"]:
        assert set(note) == {"note", "sources"}
        assert isinstance(note["note"], str)
        assert note["sources"], "a context note cites at least one source"
        for source in note["sources"]:
            assert set(source) == SOURCE_KEYS
            assert all(value is None or isinstance(value, str) for value in source.values())


def test_every_listed_claim_has_exactly_the_contract_shape(api_claims: list[Json]) -> None:
    assert api_claims
    for claim in api_claims:
        _assert_claim_shape(claim)


def test_every_listed_claim_equals_its_seed_annotation(api_claims: list[Json], seed_data: SeedData) -> None:
    for claim in api_claims:
        assert _normalised(claim) == _expected_claim(seed_data, claim["id"])


def test_every_quote_is_the_document_text_at_its_span(client: TestClient, api_claims: list[Json]) -> None:
    texts: dict[str, str] = {}
    for claim in (claim for claim in api_claims if claim["basis"] == "quote"):
        document_id = claim["document_id"]
        if document_id not in texts:
            texts[document_id] = get_json(client, f"/v1/documents/{document_id}")["text"]
        span = claim["span"]
        assert texts[document_id][span["start"] : span["end"]] == claim["quote"], claim["id"]


def test_every_quote_matches_the_seed_text_file(api_claims: list[Json], document_text: str) -> None:
    for claim in (claim for claim in api_claims if claim["basis"] == "quote"):
        assert document_text[claim["span"]["start"] : claim["span"]["end"]] == claim["quote"]


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_get_claim_answers_the_same_claim_as_the_list(
    client: TestClient, api_claims: list[Json], claim_id: str
) -> None:
    listed = next(claim for claim in api_claims if claim["id"] == claim_id)
    claim = get_json(client, f"/v1/claims/{claim_id}")
    _assert_claim_shape(claim)
    assert claim == listed


@pytest.mark.parametrize("claim_id", ["no-such-claim", "pkit-999", "PKIT-001", "pkit-001 ", "pkit-0"])
def test_get_claim_unknown_id_answers_404_problem(client: TestClient, claim_id: str) -> None:
    body = assert_problem(client.get(f"/v1/claims/{claim_id}"), 404, "not-found")
    assert claim_id.strip() in body["detail"]


def _claim_quoting(api_claims: list[Json], words: str) -> Json:
    quoted = [claim for claim in api_claims if claim["basis"] == "quote"]  # a paraphrase has no quote
    matches = [claim for claim in quoted if claim["quote"].startswith(words)]
    assert len(matches) == 1, [c["id"] for c in matches]
    return matches[0]


def test_careem_homegrown_claim_carries_context_notes_with_sources(
    api_claims: list[Json], seed_data: SeedData
) -> None:
    claim = _claim_quoting(api_claims, "Careem, Pakistan\u2019s homegrown ride-hailing service")
    assert "careem" in {entity["slug"] for entity in claim["entities"]}
    assert claim["context"], "the Careem 'homegrown' claim needs other sources' context"
    for note in claim["context"]:
        assert note["note"]
        assert note["sources"]
        assert all(set(source) == SOURCE_KEYS for source in note["sources"])
    # Where sources place Careem is carried by cited claims and relations; the notes keep the background.
    assert any("Middle East" in note["note"] for note in claim["context"])
    assert claim["context"] == _expected_claim(seed_data, claim["id"])["context"]
    assert claim["quote"] not in " ".join(note["note"] for note in claim["context"])


def test_daraz_leading_platform_claim_carries_context_notes_with_sources(
    api_claims: list[Json], seed_data: SeedData
) -> None:
    claim = _claim_quoting(api_claims, "Daraz, the country\u2019s leading e-commerce platform")
    assert "daraz" in {entity["slug"] for entity in claim["entities"]}
    assert claim["context"], "the Daraz 'leading platform' claim needs other sources' context"
    publishers = {source["publisher"] for note in claim["context"] for source in note["sources"]}
    assert publishers, "context notes cite their publishers"
    assert any("founded in Pakistan" in note["note"] for note in claim["context"])
    assert claim["context"] == _expected_claim(seed_data, claim["id"])["context"]


def test_context_is_an_empty_list_on_claims_without_notes(api_claims: list[Json]) -> None:
    without = [claim for claim in api_claims if not claim["context"]]
    assert without
    assert all(claim["context"] == [] for claim in without)


def test_claims_entities_carry_the_article_facts(api_claims: list[Json]) -> None:
    types = {entity["slug"]: entity["type"] for claim in api_claims for entity in claim["entities"]}
    assert types["careem"] == "company"
    assert types["daraz"] == "company"
    assert types["pakistan"] == "country"
    assert types["government-of-pakistan"] == "government"
