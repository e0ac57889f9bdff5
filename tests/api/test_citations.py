"""GET /v1/claims/{id}/cite, and the text-fragment links it builds (WICG Text Fragments)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.annotations import SeedData
from app.services.citations import (
    citation_text,
    encode_fragment_text,
    text_directive_terms,
    text_fragment_url,
)
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, assert_problem, claim_by_id, get_json
from tests.conftest import BASE_URL
from tests.services.test_exports import DOCUMENT_URL, insert_claims

CITATION_KEYS = {"claim_id", "quote", "statement", "source", "permalink", "text_fragment_url", "citation"}
URL = "https://example.org/article"


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("a-b & c, d", "a%2Db%20%26%20c%2C%20d"),
        ("Pakistan’s e-commerce", "Pakistan%E2%80%99s%20e%2Dcommerce"),  # noqa: RUF001
        ("50% off? yes/no #1", "50%25%20off%3F%20yes%2Fno%20%231"),
        ("plain_words.here~", "plain_words.here~"),
        ("中文 🚀", "%E4%B8%AD%E6%96%87%20%F0%9F%9A%80"),
    ],
)
def test_fragment_text_encodes_syntax_characters(text: str, encoded: str) -> None:
    assert encode_fragment_text(text) == encoded


def test_short_quote_is_linked_whole() -> None:
    quote = "Careem, Pakistan’s homegrown ride-hailing service"  # noqa: RUF001
    assert text_fragment_url(URL, quote) == (
        URL + "#:~:text=Careem%2C%20Pakistan%E2%80%99s%20homegrown%20ride%2Dhailing%20service"
    )


def test_no_url_means_no_text_fragment() -> None:
    assert text_fragment_url(None, "anything at all") is None
    assert text_fragment_url("", "anything at all") is None


def test_long_quote_is_linked_by_its_first_and_last_words() -> None:
    quote = (
        "In recent years, Pakistan has emerged as a vibrant hub for the Information Technology (IT) sector"
    )
    assert text_directive_terms(quote) == ["In recent years,", "Technology (IT) sector"]
    assert (
        text_fragment_url(URL, quote)
        == URL + "#:~:text=In%20recent%20years%2C,Technology%20%28IT%29%20sector"
    )


def test_long_quote_ends_are_lengthened_until_they_select_only_the_quote() -> None:
    # "four five six" occurs inside the quote first, so three end words would stop the match early.
    quote = "one two three four five six seven eight nine ten four five six"
    assert text_directive_terms(quote) == ["one two three four", "ten four five six"]
    # The start words also occur earlier in the document (case aside): the start grows until unique.
    text = "Intro: ONE two three, no. one two three again. " + quote + " The end."
    assert text_directive_terms(quote, text) == ["one two three four", "ten four five six"]
    text = "one two three four five, and then: " + quote
    assert text_directive_terms(quote, text) == [
        "one two three four five six",
        "eight nine ten four five six",
    ]


def test_long_quote_without_unambiguous_ends_is_linked_whole() -> None:
    quote = " ".join(["word"] * 12)
    assert text_directive_terms(quote) == [quote]
    assert text_fragment_url(URL, quote) == URL + "#:~:text=" + "%20".join(["word"] * 12)
    # Repeats are fine when the first match after the start still ends where the quote ends.
    assert text_directive_terms("a b c a b c a b c a b c") == ["a b c a b", "b c a b c"]


def test_quote_whitespace_is_collapsed_as_browsers_match_it() -> None:
    assert text_fragment_url(URL, "line one\n  line\ttwo") == URL + "#:~:text=line%20one%20line%20two"


def test_existing_fragment_is_kept() -> None:
    assert text_fragment_url(URL + "#section-2", "a-b") == URL + "#section-2:~:text=a%2Db"
    assert text_fragment_url(URL + "#:~:text=first", "a-b") == URL + "#:~:text=first&text=a%2Db"


def test_citation_text_says_what_is_unknown() -> None:
    assert citation_text("q\nuote", "Title", None, None, "http://x/1") == (
        "“q uote” — Title, unknown publisher, n.d. http://x/1"
    )


def _expected_citation(seed: SeedData, document: Json, claim_id: str) -> Json:
    claim = claim_by_id(seed, claim_id)
    assert claim.quote is not None, "a claim of the article quotes it"
    permalink = f"{BASE_URL}/v1/claims/{claim_id}"
    return {
        "claim_id": claim_id,
        "quote": claim.quote,
        "statement": claim.statement,
        "source": {key: document[key] for key in ("id", "title", "publisher", "url", "published_date")},
        "permalink": permalink,
        "text_fragment_url": text_fragment_url(document["url"], claim.quote),
        "citation": f"“{claim.quote}” — {document['title']}, unknown publisher, n.d. {document['url']}",
    }


def test_cite_a_seed_claim_links_the_articles_page_and_says_what_is_unknown(
    client: TestClient, seed_data: SeedData
) -> None:
    document = get_json(client, f"/v1/documents/{DOCUMENT_ID}")
    assert document["url"] == seed_data.annotations.documents[0].url
    assert document["publisher"] is None
    assert document["published_date"] is None
    body = get_json(client, "/v1/claims/pkit-038/cite")
    assert set(body) == CITATION_KEYS
    assert body == _expected_citation(seed_data, document, "pkit-038")
    assert body["text_fragment_url"] == (
        document["url"] + "#:~:text=Careem%2C%20Pakistan%E2%80%99s%20homegrown%20ride%2Dhailing%20service"
    )
    assert body["citation"] == (
        "“Careem, Pakistan’s homegrown ride-hailing service” — Driving Forward Remarkable Growth of "  # noqa: RUF001
        f"Pakistan’s IT Sector, unknown publisher, n.d. {document['url']}"  # noqa: RUF001
    )


@pytest.fixture
def no_url_client(migrated_database: Database, fresh_url: str) -> Iterator[TestClient]:
    insert_claims(migrated_database, url=None)
    with TestClient(create_app(Settings(database_url=fresh_url)), base_url=BASE_URL) as test_client:
        yield test_client


def test_cite_a_claim_whose_document_has_no_url(no_url_client: TestClient) -> None:
    body = get_json(no_url_client, "/v1/claims/x-004/cite")
    assert body["source"]["url"] is None
    assert body["text_fragment_url"] is None
    # With no page to link, the citation links the claim's own permalink.
    assert body["citation"] == (
        "“-leading dash & ampersand, comma” — A “tricky”, test document, Example Press, "
        f"2024-05-17. {BASE_URL}/v1/claims/x-004"
    )


def test_every_claim_cites_its_own_quote_and_permalink(client: TestClient, api_claims: list[Json]) -> None:
    for claim in api_claims:
        body = get_json(client, f"/v1/claims/{claim['id']}/cite")
        assert (body["quote"], body["statement"]) == (claim["quote"], claim["statement"])
        assert get_json(client, body["permalink"].removeprefix(BASE_URL)) == claim


def test_cite_an_unknown_claim_answers_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/claims/pkit-999/cite"), 404, "not-found")
    assert body["detail"] == "No claim 'pkit-999'."
    assert_problem(client.get("/v1/claims/" + "x" * 101 + "/cite"), 422, "invalid-request")


@pytest.fixture
def url_client(migrated_database: Database, fresh_url: str) -> Iterator[TestClient]:
    insert_claims(migrated_database, url=DOCUMENT_URL)
    with TestClient(create_app(Settings(database_url=fresh_url)), base_url=BASE_URL) as test_client:
        yield test_client


def test_cite_a_claim_whose_document_has_a_url(url_client: TestClient) -> None:
    body = get_json(url_client, "/v1/claims/x-004/cite")
    assert body == {
        "claim_id": "x-004",
        "quote": "-leading dash & ampersand, comma",
        "statement": "=SUM(A1:A2) only looks like a formula",
        "source": {
            "id": "doc-tricky",
            "title": "A “tricky”, test document",
            "publisher": "Example Press",
            "url": DOCUMENT_URL,
            "published_date": "2024-05-17",
        },
        "permalink": f"{BASE_URL}/v1/claims/x-004",
        "text_fragment_url": DOCUMENT_URL + "#:~:text=%2Dleading%20dash%20%26%20ampersand%2C%20comma",
        "citation": "“-leading dash & ampersand, comma” — A “tricky”, test document, Example Press, "
        f"2024-05-17. {DOCUMENT_URL}",
    }
    multiline = get_json(url_client, "/v1/claims/x-002/cite")
    assert multiline["text_fragment_url"] == DOCUMENT_URL + "#:~:text=a%20quote%20over%20two%20lines"
    assert multiline["citation"].startswith("“a quote over two lines” — ")
