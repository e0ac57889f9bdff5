"""Claim lists as CSV, NDJSON and JSON-LD: the same claims as the JSON pages, negotiation, streaming."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.api import formats
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services import exports
from app.services.annotations import SeedData
from app.services.claim_filters import ClaimFilters
from tests.api.conftest import DOCUMENT_ID
from tests.api.openapi_document import example_value, parameters, resolved
from tests.api.support import Json, Params, assert_problem, expected_ids, get_json, ids, walk
from tests.conftest import BASE_URL, StatementLog
from tests.record_examples import EXAMPLE_REQUESTS
from tests.services.test_exports import TRICKY_CLAIMS, csv_view, insert_claims, parse_csv

CLAIM_LISTS = [
    "/v1/claims",
    "/v1/themes/outlook/claims",
    "/v1/entities/Careem/claims",
    f"/v1/documents/{DOCUMENT_ID}/claims",
]
FILTER_COMBOS: list[Params] = [
    [],
    [("theme", "talent-workforce")],
    [("entity", "careem"), ("kind", "fact")],
    [("theme", "challenges,outlook"), ("kind", "recommendation"), ("kind", "prediction")],
    [("document", DOCUMENT_ID), ("entity", "pakistan"), ("entity", "Daraz.pk")],
    [("q", "freelanc*"), ("sort", "position")],
]
NDJSON = "application/x-ndjson"
JSONLD = "application/ld+json"


def ndjson_lines(text: str) -> list[Json]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def _export(client: TestClient, path: str, params: Params, fmt: str) -> Any:
    response = client.get(path, params=[*params, ("format", fmt)])
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("params", FILTER_COMBOS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p) or "all")
@pytest.mark.parametrize("path", CLAIM_LISTS)
def test_ndjson_and_csv_hold_exactly_the_claims_of_the_json_pages(
    client: TestClient, path: str, params: Params
) -> None:
    expected, total = walk(client, path, params, limit=7)
    ndjson = _export(client, path, params, "ndjson")
    assert ndjson_lines(ndjson.text) == expected
    csv = _export(client, path, params, "csv")
    assert parse_csv(csv.text) == [csv_view(claim) for claim in expected]
    assert total == len(expected)


def test_the_whole_set_exports_every_claim_in_document_order(
    client: TestClient, api_claims: list[Json], seed_data: SeedData
) -> None:
    assert ids(api_claims) == expected_ids(seed_data)
    assert ndjson_lines(_export(client, "/v1/claims", [], "ndjson").text) == api_claims
    assert parse_csv(_export(client, "/v1/claims", [], "csv").text) == [csv_view(c) for c in api_claims]


def test_exports_ignore_limit_cursor_and_relevance_sort(client: TestClient, api_claims: list[Json]) -> None:
    cursor = get_json(client, "/v1/claims", [("limit", 5)])["meta"]["next_cursor"]
    paged = [("limit", 1), ("cursor", cursor)]
    assert ndjson_lines(_export(client, "/v1/claims", paged, "ndjson").text) == api_claims
    # With q the JSON pages rank by relevance; exports keep document order, with the same q filter.
    ranked, _ = walk(client, "/v1/claims", [("q", "pakistan")], limit=100)
    exported = ndjson_lines(_export(client, "/v1/claims", [("q", "pakistan")], "ndjson").text)
    order = {claim["id"]: n for n, claim in enumerate(api_claims)}
    assert exported == sorted(ranked, key=lambda claim: order[claim["id"]])
    assert 0 < len(exported) < len(api_claims)


def test_csv_answer_is_a_utf8_attachment(client: TestClient) -> None:
    response = _export(client, "/v1/claims", [("entity", "careem")], "csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="claims.csv"'
    assert "Accept" in response.headers["vary"].replace(" ", "").split(",")  # gzip adds Accept-Encoding
    assert "Pakistan\u2019s homegrown" in response.content.decode("utf-8")
    assert response.text.count("\r\n") >= 5  # header + 4 claims, RFC 4180 line ends


@pytest.fixture
def tricky_client(migrated_database: Database, fresh_url: str) -> Iterator[TestClient]:
    insert_claims(migrated_database)
    with TestClient(create_app(Settings(database_url=fresh_url)), base_url=BASE_URL) as test_client:
        yield test_client


def test_csv_and_ndjson_round_trip_quotes_commas_newlines_and_unicode(tricky_client: TestClient) -> None:
    pages, _ = walk(tricky_client, "/v1/claims", limit=100)
    rows = parse_csv(_export(tricky_client, "/v1/claims", [], "csv").text)
    assert rows == [csv_view(claim) for claim in pages]
    by_id = {row["id"]: row for row in rows}
    for claim_id, statement, quote in TRICKY_CLAIMS:
        assert (by_id[claim_id]["statement"], by_id[claim_id]["quote"]) == (statement, quote)
    assert ndjson_lines(_export(tricky_client, "/v1/claims", [], "ndjson").text) == pages


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ("", None, "application/json"),
        ("", "text/csv", "text/csv"),
        ("", NDJSON, NDJSON),
        ("", JSONLD, JSONLD),
        ("", "application/xml", "application/json"),  # nothing acceptable: JSON, not 406
        ("", "*/*", "application/json"),
        ("", "text/*", "text/csv"),
        ("", "text/csv;q=0.5, application/x-ndjson", NDJSON),
        ("", "application/json;q=0, text/csv;q=0.1", "text/csv"),
        ("", "application/ld+json, text/csv", JSONLD),
        ("", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),
        ("format=json", "text/csv", "application/json"),
        ("format=csv", "application/json", "text/csv"),
        ("format=ndjson", JSONLD, NDJSON),
        ("format=jsonld", NDJSON, JSONLD),
    ],
)
@pytest.mark.parametrize("path", [CLAIM_LISTS[0], CLAIM_LISTS[2]])
def test_format_wins_over_accept(
    client: TestClient, path: str, query: str, accept: str | None, media_type: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get(f"{path}?limit=2&{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"].replace(" ", "").split(",")  # gzip adds Accept-Encoding


def test_the_default_json_answer_is_unchanged(client: TestClient) -> None:
    body = get_json(client, "/v1/claims", [("entity", "careem"), ("limit", 2)])
    assert body == get_json(client, "/v1/claims", [("entity", "careem"), ("limit", 2), ("format", "json")])
    assert set(body) == {"data", "meta"}


@pytest.mark.parametrize("path", CLAIM_LISTS)
def test_invalid_format_answers_422_problem(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path, params={"format": "xml"}), 422, "invalid-request")
    assert body["errors"][0]["location"] == "query.format"


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "jsonld"])
def test_errors_in_other_formats_are_problems_not_broken_streams(client: TestClient, fmt: str) -> None:
    unknown = client.get("/v1/claims", params={"format": fmt, "theme": "no-such-theme"})
    assert assert_problem(unknown, 422, "unknown-filter-value")["values"] == ["no-such-theme"]
    assert_problem(client.get("/v1/themes/no-such-theme/claims", params={"format": fmt}), 404, "not-found")
    assert_problem(client.get("/v1/entities/nobody/claims", headers={"accept": "text/csv"}), 404, "not-found")


def test_invalid_cursor_in_jsonld_answers_422_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/claims?format=jsonld&cursor=bogus"), 422, "invalid-cursor")


def _request(path: str = "/v1/claims") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""})


def test_ndjson_answer_is_a_stream_of_batches_that_hold_no_connection(
    seeded_database: Database, monkeypatch: pytest.MonkeyPatch, api_claims: list[Json]
) -> None:
    monkeypatch.setattr(exports, "EXPORT_BATCH_SIZE", 7)
    response = formats.claim_list(
        _request(), seeded_database, ClaimFilters(), "ndjson", limit=20, cursor=None
    )
    assert isinstance(response, StreamingResponse)
    pool = seeded_database.read_engine.pool
    chunks: list[str] = []

    async def consume() -> None:
        async for chunk in response.body_iterator:
            assert pool.checkedout() == 0  # type: ignore[attr-defined]
            chunks.append(chunk if isinstance(chunk, str) else bytes(chunk).decode())

    anyio.run(consume)
    assert len(chunks) == math.ceil(len(api_claims) / 7)
    assert [len(ndjson_lines(chunk)) for chunk in chunks[:-1]] == [7] * (len(chunks) - 1)
    assert ndjson_lines("".join(chunks)) == api_claims


def test_streamed_exports_read_in_batches(
    client: TestClient, statement_log: StatementLog, monkeypatch: pytest.MonkeyPatch, seed_data: SeedData
) -> None:
    every = len(seed_data.annotations.claims)
    assert every > 10, "more claims than one batch of 10"
    with client.stream("GET", "/v1/claims", headers={"accept": NDJSON}) as response:
        assert "content-length" not in response.headers  # streamed, not buffered and measured
        whole = sum(1 for line in response.iter_lines() if line)
    one_batch = len(statement_log.statements)
    assert whole == every
    monkeypatch.setattr(exports, "EXPORT_BATCH_SIZE", 10)
    statement_log.statements.clear()
    # Rows end with CRLF; a line break inside a cell (the notes of `context`) is a bare LF.
    lines = _export(client, "/v1/claims", [], "csv").text.count("\r\n") - 1
    assert lines == every
    assert len(statement_log.statements) == math.ceil(every / 10) * one_batch, statement_log.statements


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def test_jsonld_is_a_page_of_schema_org_claims(client: TestClient, api_claims: list[Json]) -> None:
    # A page of every claim (at most 100): quoted and paraphrase claims, with and without notes.
    page = get_json(client, "/v1/claims", [("limit", 100)])
    response = client.get("/v1/claims?limit=100", headers={"accept": JSONLD})
    assert response.headers["content-type"] == JSONLD
    body = response.json()
    assert set(body) == {"@context", "@graph", "meta"}
    assert body["@context"][0] == "https://schema.org"
    assert body["@context"][1]["meta"] is None  # paging stays plain JSON, outside the linked data
    assert body["meta"] == page["meta"]
    documents = {d["id"]: d for d in walk(client, "/v1/documents", limit=100)[0]}
    assert len(body["@graph"]) == len(page["data"])
    for node, claim in zip(body["@graph"], page["data"], strict=True):
        assert node["@type"] == "Claim"
        assert node["@id"] == f"{BASE_URL}/v1/claims/{claim['id']}"
        assert get_json(client, node["@id"].removeprefix(BASE_URL)) == claim
        assert node["text"] == claim["statement"]
        document = documents[claim["document_id"]]
        appearance = node["appearance"]
        assert node["firstAppearance"] == appearance
        if claim["basis"] == "quote":
            assert appearance["@type"] == "Quotation"
            position, quote = appearance["oa:hasSelector"]
            start, end = position["oa:start"], position["oa:end"]
            assert (start, end) == (claim["span"]["start"], claim["span"]["end"])
            text = get_json(client, f"/v1/documents/{claim['document_id']}")["text"]
            assert appearance["text"] == claim["quote"] == text[start:end] == quote["oa:exact"]
            assert text.count(quote["oa:prefix"] + quote["oa:exact"] + quote["oa:suffix"]) == 1
            work = appearance["isPartOf"]
        else:  # a paraphrase appears in its cited document, at no passage we could quote
            assert claim["quote"] is None
            assert "oa:hasSelector" not in appearance
            work = appearance
        assert work["@type"] == "CreativeWork"
        assert work["name"] == document["title"]
        assert work.get("url") == document["url"]  # the stored page the article is at, or the cited one's
        assert work.get("publisher", {}).get("name") == document["publisher"]
        assert [thing["name"] for thing in node["about"]] == [e["name"] for e in claim["entities"]]
        reviews = node.get("review", [])
        assert [review["reviewBody"] for review in reviews] == [note["note"] for note in claim["context"]]
        for review, note in zip(reviews, claim["context"], strict=True):
            assert review["@type"] == "ClaimReview"
            assert review["itemReviewed"] == {"@id": node["@id"]}
            assert [c.get("name") for c in review["citation"]] == [s["title"] for s in note["sources"]]
    assert any("review" in node for node in body["@graph"]), "some claims on the page have context notes"
    bases = {claim["basis"] for claim in page["data"]}
    assert bases == {"quote", "paraphrase"}, "the page holds quoted and paraphrase claims"
    for node in _nodes(body["@graph"]):
        assert "reviewRating" not in node
        assert {k for k in node if k.startswith("@")} <= {"@id", "@type"}
        assert all(isinstance(value, str) and value for key, value in node.items() if key.startswith("@"))
        assert None not in node.values()


def test_jsonld_follows_limit_and_cursor_like_the_json_pages(client: TestClient) -> None:
    params: Params = [("theme", "sector-growth"), ("limit", 3)]
    first = get_json(client, "/v1/claims", params)
    second = get_json(client, "/v1/claims", [*params, ("cursor", first["meta"]["next_cursor"])])
    ld = client.get(
        "/v1/claims", params=[*params, ("cursor", first["meta"]["next_cursor"]), ("format", "jsonld")]
    )
    body = ld.json()
    assert [node["identifier"] for node in body["@graph"]] == [claim["id"] for claim in second["data"]]
    assert body["meta"] == second["meta"]


def test_careem_claim_in_jsonld_carries_its_context_as_claim_reviews(client: TestClient) -> None:
    body = client.get("/v1/entities/careem/claims?format=jsonld&kind=fact&limit=100").json()
    node = next(node for node in body["@graph"] if node["identifier"] == "pkit-038")
    assert [thing["@type"] for thing in node["about"]] == ["Organization", "Country", "Thing"]
    associated_press = node["review"][0]["citation"][0]
    assert associated_press == {
        "@type": "CreativeWork",
        "name": "Uber acquires Mideast competitor Careem for $3.1B",
        "publisher": {"@type": "Organization", "name": "Associated Press"},
        "datePublished": "2019-03-26",
    }


def test_openapi_documents_every_format_of_every_claim_list(client: TestClient) -> None:
    spec = get_json(client, "/openapi.json")
    nested = ("themes/{slug}", "entities/{key}", "documents/{document_id}")
    for path in ("/v1/claims", *(f"/v1/{name}/claims" for name in nested)):
        operation = spec["paths"][path]["get"]
        answer = resolved(spec, operation["responses"]["200"])
        # JSON alone is the typed answer; the other formats are described beside it (app/api/formats.py).
        assert set(answer["content"]) == {"application/json"}
        content = answer["x-other-formats"]
        assert set(content) == {"text/csv", NDJSON, JSONLD}
        csv_example = example_value(spec, content["text/csv"])
        assert csv_example.startswith(",".join(exports.CSV_COLUMNS) + "\r\n")
        page = client.get(EXAMPLE_REQUESTS["claims_page"]).json()
        assert ndjson_lines(example_value(spec, content[NDJSON])) == page["data"]
        assert example_value(spec, content[JSONLD]) == client.get(EXAMPLE_REQUESTS["claims_jsonld"]).json()
        parameter = next(p for p in parameters(spec, operation) if p["name"] == "format")
        assert parameter["schema"]["anyOf"][0]["enum"] == ["json", "csv", "ndjson", "jsonld"]


def _contested(client: TestClient) -> Json:
    """The claim other reporting contradicts most (`sort=contested`), with its relations."""
    first = get_json(client, "/v1/claims", [("contradicted", "true"), ("sort", "contested"), ("limit", 1)])
    claim: Json = first["data"][0]
    assert claim["corroboration"]["contradicting_sources"] > 0
    return claim


def _related(claim: Json, reading: str) -> list[Json]:
    return [relation for relation in claim["relations"] if relation["relation"] == reading]


def test_csv_carries_basis_source_relations_and_corroboration(client: TestClient) -> None:
    rows = {row["id"]: row for row in parse_csv(_export(client, "/v1/claims", [], "csv").text)}
    contested = _contested(client)
    row = rows[contested["id"]]
    contradicting = _related(contested, "contradicted_by")
    assert row["contradicted_by"].split(";") == [r["claim"]["id"] for r in contradicting]
    assert int(row["contradicting_sources"]) == contested["corroboration"]["contradicting_sources"]
    assert json.loads(row["relations_json"]) == contested["relations"]
    assert row["basis"] == "quote"
    assert row["quote"] == contested["quote"]
    # Each relation reads both ways: the contradicting claims' rows name this claim under `contradicts`,
    # and they are cited sources' paraphrases, with their source but no quote or span.
    for relation in contradicting:
        other = rows[relation["claim"]["id"]]
        assert contested["id"] in other["contradicts"].split(";")
        assert other["basis"] == "paraphrase"
        assert (other["quote"], other["span_start"], other["span_end"]) == ("", "", "")
        source = relation["claim"]["source"]
        assert (other["source_publisher"], other["source_published_date"]) == (
            source["publisher"] or "",
            source["published_date"] or "",
        )
    # Every relation column holds only ids of exported claims, and the readings pair up across rows.
    inverse = {"supported_by": "supports", "contradicted_by": "contradicts", "qualified_by": "qualifies"}
    inverse |= {value: key for key, value in inverse.items()} | {"has_part": "part_of", "part_of": "has_part"}
    inverse["same_as"] = "same_as"
    pairs = 0
    for claim_id, claim_row in rows.items():
        for reading, opposite in inverse.items():
            for other_id in filter(None, claim_row[reading].split(";")):
                assert claim_id in rows[other_id][opposite].split(";"), (claim_id, reading, other_id)
                pairs += 1
    assert pairs == 2 * len(get_json(client, "/v1/relations", [("limit", 100)])["data"])


def test_jsonld_carries_relations_notes_and_counts_in_a_published_context(client: TestClient) -> None:
    contested = _contested(client)
    body = client.get("/v1/claims", params={"contradicted": "true", "format": "jsonld", "limit": 100}).json()
    node = next(node for node in body["@graph"] if node["identifier"] == contested["id"])
    assert node["basis"] == contested["basis"]
    assert node["contradictingSources"] == contested["corroboration"]["contradicting_sources"]
    assert node["supportingSources"] == contested["corroboration"]["supporting_sources"]
    contradicting = _related(contested, "contradicted_by")
    assert [other["identifier"] for other in node["contradictedBy"]] == [
        r["claim"]["id"] for r in contradicting
    ]
    for other, relation in zip(node["contradictedBy"], contradicting, strict=True):
        assert other["@id"] == f"{BASE_URL}/v1/claims/{relation['claim']['id']}"
        assert other["text"] == relation["claim"]["statement"]
        source, appearance = relation["claim"]["source"], other["appearance"]
        assert appearance["@type"] == "CreativeWork"  # a paraphrase: its cited document, no quotation
        assert appearance["publisher"]["name"] == source["publisher"]
        assert appearance.get("datePublished") == source["published_date"]
        assert appearance.get("url") == source["url"]
    # Each relation is a Web Annotation: subject then object as targets, the note its body.
    annotations = {annotation["@id"]: annotation for annotation in node["claimRelation"]}
    assert len(annotations) == len(contested["relations"])
    for relation in contested["relations"]:
        annotation = annotations[f"{BASE_URL}/v1/relations/{relation['relation_id']}"]
        stored = get_json(client, f"/v1/relations/{relation['relation_id']}")
        targets = [target["@id"] for target in annotation["oa:hasTarget"]]
        assert targets == [f"{BASE_URL}/v1/claims/{stored[end]}" for end in ("subject_id", "object_id")]
        assert annotation["oa:bodyValue"] == relation["note"]
        assert annotation["oa:motivatedBy"] == {"@id": "oa:linking"}
        expected = "schema:isPartOf" if relation["type"] == "part-of" else f"sf:{relation['type']}"
        assert annotation["relationType"] == expected.replace("same-as", "sameAs")
    # The terms used are defined in the context, which the API publishes with each term documented.
    published = client.get("/v1/context.jsonld")
    assert published.status_code == 200
    assert published.headers["content-type"] == JSONLD
    document = published.json()
    inline = body["@context"][1]
    assert inline["sf"] == f"{BASE_URL}/v1/context.jsonld#"
    assert {key: document["@context"][key] for key in inline} == inline
    # schema.org's own terms, defined by its context: those of a claim page before relations, and parts.
    schema_terms = {"text", "url", "identifier", "genre", "appearance", "firstAppearance", "about",
                    "keywords", "review", "name", "publisher", "datePublished", "isPartOf", "hasPart",
                    "termCode", "itemReviewed", "claimReviewed", "reviewBody", "citation",
                    "version"}  # fmt: skip
    ours = {key for graph_node in _nodes(body["@graph"]) for key in graph_node}
    ours -= {key for key in ours if key.startswith(("@", "oa:"))}
    assert {"contradictedBy", "claimRelation", "relationType", "basis"} <= ours
    documented = {term["@id"]: term for term in document["@graph"] if term["@type"] == "rdf:Property"}
    for key in ours & set(inline):
        definition = inline[key]
        iri = definition["@id"] if "@id" in definition else definition["@reverse"]
        assert documented[iri]["rdfs:comment"], key
    assert ours - set(inline) <= schema_terms
    assert "owl:sameAs" in documented["sf:sameAs"]["rdfs:comment"]  # why it is not identity
