"""GET /v1/documents, /v1/documents/{id} (full text and checksum) and /v1/documents/{id}/claims."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData
from tests.api.conftest import DOCUMENT_FILE, DOCUMENT_ID
from tests.api.support import Params, assert_problem, expected_ids, get_json, ids, walk

SUMMARY_KEYS = {
    "id",
    "title",
    "text_held",
    "sha256",
    "language",
    "publisher",
    "url",
    "published_date",
    "published_precision",
    "retrieved_date",
    "retrieved_precision",
    "length",
    "claim_count",
    "current_version",
    "orphaned_claims",
}


def test_documents_list_summarises_each_seed_document_without_text(
    client: TestClient, seed_data: SeedData, document_text: str
) -> None:
    documents, total = walk(client, "/v1/documents", limit=20)
    assert total == len(documents) == len(seed_data.annotations.documents)
    assert all(set(document) == SUMMARY_KEYS for document in documents)
    document = next(document for document in documents if document["id"] == DOCUMENT_ID)
    source = next(source for source in seed_data.annotations.documents if source.id == DOCUMENT_ID)
    assert document["text_held"] is True
    assert document["title"] == source.title
    assert document["language"] == source.language
    assert document["publisher"] is None
    assert document["url"] == source.url
    assert document["published_date"] is None
    assert document["retrieved_date"] is None
    assert document["length"] == len(document_text)
    assert document["sha256"] == hashlib.sha256(DOCUMENT_FILE.read_bytes()).hexdigest()
    own = [c for c in seed_data.annotations.claims if c.document == DOCUMENT_ID]
    assert document["claim_count"] == len(own)
    assert document["current_version"] == 1
    assert document["orphaned_claims"] == 0


def test_get_document_has_the_full_text_of_the_seed_file(client: TestClient, document_text: str) -> None:
    document = get_json(client, f"/v1/documents/{DOCUMENT_ID}")
    assert set(document) == SUMMARY_KEYS | {"text"}
    assert document["text"] == document_text
    assert document["length"] == len(document_text)
    assert document["sha256"] == hashlib.sha256(DOCUMENT_FILE.read_bytes()).hexdigest()
    assert document["sha256"] == hashlib.sha256(document["text"].encode("utf-8")).hexdigest()


def test_get_document_summary_fields_equal_the_list_entry(client: TestClient) -> None:
    listed = next(d for d in get_json(client, "/v1/documents")["data"] if d["id"] == DOCUMENT_ID)
    document = get_json(client, f"/v1/documents/{DOCUMENT_ID}")
    assert {key: value for key, value in document.items() if key != "text"} == listed


def test_document_length_counts_code_points_not_bytes(client: TestClient, document_text: str) -> None:
    assert len(document_text.encode("utf-8")) > len(document_text), "the article has non-ASCII characters"
    assert get_json(client, f"/v1/documents/{DOCUMENT_ID}")["length"] == len(document_text)


@pytest.mark.parametrize("document_id", ["no-such-document", "PAKISTAN-IT-SECTOR", "pakistan-it"])
def test_get_document_unknown_id_answers_404_problem(client: TestClient, document_id: str) -> None:
    body = assert_problem(client.get(f"/v1/documents/{document_id}"), 404, "not-found")
    assert document_id in body["detail"]


def test_document_claims_are_the_documents_claims_in_order(client: TestClient, seed_data: SeedData) -> None:
    claims, total = walk(client, f"/v1/documents/{DOCUMENT_ID}/claims", limit=9)
    assert ids(claims) == expected_ids(seed_data, documents=[DOCUMENT_ID])
    assert total == len(claims)
    assert {claim["document_id"] for claim in claims} == {DOCUMENT_ID}


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ([("entity", "CAREEM")], {"entities": ["careem"]}),
        ([("theme", "challenges,outlook")], {"themes": ["challenges", "outlook"]}),
        ([("kind", "recommendation")], {"kinds": ["recommendation"]}),
        ([("document", DOCUMENT_ID), ("entity", "daraz")], {"entities": ["daraz"]}),
    ],
    ids=["entity", "themes", "kind", "document+entity"],
)
def test_document_claims_filters_are_anded_with_the_path_document(
    client: TestClient, seed_data: SeedData, params: Params, filters: dict[str, list[str]]
) -> None:
    claims, total = walk(client, f"/v1/documents/{DOCUMENT_ID}/claims", params, limit=100)
    assert ids(claims) == expected_ids(seed_data, documents=[DOCUMENT_ID], **filters)
    assert total == len(claims)


def test_document_claims_unknown_id_answers_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/documents/no-such-document/claims"), 404, "not-found")
    assert "no-such-document" in body["detail"]


def test_document_claims_unknown_filter_value_answers_422(client: TestClient) -> None:
    response = client.get(f"/v1/documents/{DOCUMENT_ID}/claims", params={"entity": "Jazz"})
    body = assert_problem(response, 422, "unknown-filter-value")
    assert "Jazz" in body["detail"]
