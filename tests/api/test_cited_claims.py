"""Cited documents and their paraphrase claims beside the article's quoted claims: every list, cursor,
range, tally, search, export and citation carries them, in one order on both engines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.annotations import SeedData, read_annotations
from seed.loader import load_seed
from tests.api.support import Json, assert_problem, get_json, ids, walk
from tests.curation import Curator, curating
from tests.databases import fresh_database_url
from tests.services.cited import CLAIMS, DUBAI_BASED, DUBAI_SOURCE, HOMEGROWN, SUCCESS, write_cited_seed

PARAPHRASES = {claim["id"] for claim in CLAIMS}


@pytest.fixture(scope="module")
def cited_seed(tmp_path_factory: pytest.TempPathFactory) -> SeedData:
    """The seed with the cited documents, their claims and relations, read from its file."""
    return read_annotations(write_cited_seed(tmp_path_factory.mktemp("cited-seed")))


@pytest.fixture(scope="module")
def cited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Curator]:
    """A database seeded with the cited seed (read it; never write to it)."""
    path = write_cited_seed(tmp_path_factory.mktemp("cited-file"))
    with fresh_database_url(tmp_path_factory.mktemp("cited-db")) as url, curating(url) as curator:
        load_seed(curator.database, path)
        yield curator


def _expected_order(seed: SeedData, keep: set[str] | None = None) -> list[str]:
    """Claim ids in the documented order: (document, span start, span end, id), a paraphrase at (0, 0)."""
    claims = [c for c in seed.annotations.claims if keep is None or c.id in keep]
    return [c.id for c in sorted(claims, key=lambda c: c.order_key)]


def test_the_list_walks_quoted_and_paraphrase_claims_in_one_order(
    cited: Curator, cited_seed: SeedData
) -> None:
    for limit in (3, 100):
        claims, total = walk(cited.client, "/v1/claims", limit=limit)
        assert total == len(cited_seed.annotations.claims)
        assert ids(claims) == _expected_order(cited_seed)


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "startups-entrepreneurship"},  # a range of claim_by_theme
        {"entity": "careem"},  # a range of claim_by_entity
        {"theme": "startups-entrepreneurship", "entity": "careem"},  # a range of claim_pair
        {"kind": "fact", "entity": "careem"},  # a keyset SELECT
        {"document": DUBAI_SOURCE},  # one document's tally
    ],
)
def test_filtered_lists_and_their_totals_hold_the_paraphrases(
    cited: Curator, cited_seed: SeedData, params: dict[str, str]
) -> None:
    claims, total = walk(cited.client, "/v1/claims", list(params.items()), limit=2)
    wanted = {
        c.id
        for c in cited_seed.annotations.claims
        if ("theme" not in params or params["theme"] in c.themes)
        and ("entity" not in params or params["entity"] in c.entities)
        and ("kind" not in params or params["kind"] == c.kind)
        and ("document" not in params or params["document"] == c.document)
    }
    assert wanted & PARAPHRASES, "the filter selects paraphrases"
    assert total == len(wanted)
    assert ids(claims) == _expected_order(cited_seed, wanted)


def test_a_paraphrase_says_so_and_carries_its_source(cited: Curator) -> None:
    claim = get_json(cited.client, f"/v1/claims/{DUBAI_BASED}")
    assert claim["basis"] == "paraphrase"
    assert claim["quote"] is None
    assert claim["span"] is None
    assert claim["statement"] == "Careem is a company based in Dubai."
    assert claim["source"] == {
        "document_id": DUBAI_SOURCE,
        "title": "Careem hits one million drivers across region in race with Uber",
        "publisher": "Arab News",
        "url": None,
        "published_date": "2018-09-03",
        "text_held": False,
    }
    article = get_json(cited.client, "/v1/claims/pkit-038")
    assert article["basis"] == "quote"
    assert article["source"]["text_held"] is True


def test_a_cited_document_holds_no_text(cited: Curator) -> None:
    document = get_json(cited.client, f"/v1/documents/{DUBAI_SOURCE}")
    assert document["text_held"] is False
    assert document["text"] is None
    assert document["sha256"] is None
    assert document["length"] is None
    assert document["claim_count"] == 1
    partial = get_json(cited.client, "/v1/documents/example-press-two")
    assert partial["published_date"] == "2019-05"
    documents, _ = walk(cited.client, "/v1/documents")
    held = {d["id"]: d["text_held"] for d in documents}
    assert held["pakistan-it-sector"] is True
    assert held[DUBAI_SOURCE] is False


def test_search_finds_a_paraphrase_by_its_statement(cited: Curator) -> None:
    hits = get_json(cited.client, "/v1/search", [("q", "Dubai"), ("type", "claim")])["data"]
    assert DUBAI_BASED in {hit["id"] for hit in hits}


def test_a_paraphrase_is_cited_unquoted(cited: Curator) -> None:
    citation = get_json(cited.client, f"/v1/claims/{DUBAI_BASED}/cite")
    assert citation["quote"] is None
    assert citation["text_fragment_url"] is None
    assert citation["source"]["published_date"] == "2018-09-03"
    assert citation["citation"].startswith("Careem is a company based in Dubai. (paraphrase) — ")
    assert "Arab News, 2018-09-03." in citation["citation"]


def test_exports_carry_the_paraphrases_in_list_order(cited: Curator, cited_seed: SeedData) -> None:
    order = _expected_order(cited_seed)
    ndjson = cited.client.get("/v1/claims", params={"format": "ndjson"})
    assert ndjson.status_code == 200
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [line["id"] for line in lines] == order
    rows = list(csv.DictReader(io.StringIO(cited.client.get("/v1/claims", params={"format": "csv"}).text)))
    assert [row["id"] for row in rows] == order
    paraphrase = next(row for row in rows if row["id"] == DUBAI_BASED)
    assert (paraphrase["quote"], paraphrase["span_start"], paraphrase["span_end"]) == ("", "", "")
    jsonld = cited.client.get("/v1/claims", params={"format": "jsonld", "document": DUBAI_SOURCE})
    assert jsonld.status_code == 200
    graph = jsonld.json()["@graph"]
    (node,) = graph
    # A paraphrase appears in its cited document, not in a quoted passage of it.
    assert node["appearance"]["@type"] == "CreativeWork"
    assert node["appearance"]["publisher"] == {"@type": "Organization", "name": "Arab News"}
    assert node["appearance"]["datePublished"] == "2018-09-03"


def test_facets_count_the_cited_documents(cited: Curator) -> None:
    facets = get_json(cited.client, "/v1/claims/facets")
    documents = {value["value"]: value["count"] for value in facets["facets"]["document"]}
    assert documents[DUBAI_SOURCE] == 1
    assert documents["example-press-one"] == 1


def test_the_seed_loads_again_with_nothing_to_change(cited: Curator, tmp_path: Path) -> None:
    assert not load_seed(cited.database, write_cited_seed(tmp_path)).changed


def test_a_cited_document_and_its_paraphrase_are_written_through_the_api(curator: Curator) -> None:
    document = {"id": "example-cited", "title": "A test record", "publisher": "Example Press"}
    created = curator.write("POST", "/v1/documents", document | {"published_date": "2019-05"})
    assert created.status_code == 201, created.text
    assert created.json()["text_held"] is False
    paraphrase = {
        "document": "example-cited",
        "statement": "Test fixture: a paraphrase.",
        "kind": "fact",
        "themes": ["startups-entrepreneurship"],
    }
    claim = curator.write("POST", "/v1/claims", paraphrase)
    assert claim.status_code == 201, claim.text
    assert (claim.json()["basis"], claim.json()["span"]) == ("paraphrase", None)
    assert claim.json()["source"]["published_date"] == "2019-05"
    quoted = curator.write("POST", "/v1/claims", paraphrase | {"quote": "a paraphrase"})
    assert "is cited" in assert_problem(quoted, 422)["errors"][0]["message"]
    unquoted = curator.write("POST", "/v1/claims", paraphrase | {"document": "pakistan-it-sector"})
    assert "is held" in assert_problem(unquoted, 422)["errors"][0]["message"]
    # The claim shows its source: a change of the document's citation reaches it.
    path = "/v1/documents/example-cited"
    renamed = curator.write("PATCH", path, {"publisher": "Sample Wire"}, if_match="current")
    assert renamed.status_code == 200, renamed.text
    shown = get_json(curator.client, f"/v1/claims/{claim.json()['id']}")
    assert shown["source"]["publisher"] == "Sample Wire"


def _links(claim: Json, relation: str) -> list[Json]:
    links = claim["relations"]
    assert isinstance(links, list)
    return [link for link in links if link["relation"] == relation]


def test_the_homegrown_claim_shows_what_contradicts_it_with_sources_and_dates(cited: Curator) -> None:
    claim = get_json(cited.client, f"/v1/claims/{HOMEGROWN}")
    contradicting = _links(claim, "contradicted_by")
    assert [link["claim"]["id"] for link in contradicting] == [
        DUBAI_BASED,
        "example-one-dubai",
        "example-two-dubai",
    ]
    dubai = contradicting[0]
    assert dubai["type"] == "contradicts"
    assert dubai["note"] == "Dubai, not Pakistan, as base."
    assert dubai["claim"] == {
        "id": DUBAI_BASED,
        "statement": "Careem is a company based in Dubai.",
        "basis": "paraphrase",
        "quote": None,
        "kind": "fact",
        "source": {
            "document_id": DUBAI_SOURCE,
            "title": "Careem hits one million drivers across region in race with Uber",
            "publisher": "Arab News",
            "url": None,
            "published_date": "2018-09-03",
            "text_held": False,
        },
    }
    assert get_json(cited.client, f"/v1/relations/{dubai['relation_id']}")["subject_id"] == DUBAI_BASED
    assert [link["claim"]["id"] for link in _links(claim, "part_of")] == [SUCCESS]
    # Arab News and Example Press: Example Press's two documents are one independent source.
    assert claim["corroboration"] == {
        "supporting_sources": 0,
        "contradicting_sources": 2,
        "qualifying_sources": 0,
    }


def test_each_side_of_a_relation_shows_the_other(cited: Curator) -> None:
    success = get_json(cited.client, f"/v1/claims/{SUCCESS}")
    assert [link["claim"]["id"] for link in _links(success, "supported_by")] == ["sample-one-success"]
    assert [link["claim"]["id"] for link in _links(success, "has_part")] == [HOMEGROWN]
    assert success["corroboration"]["supporting_sources"] == 1
    paraphrase = get_json(cited.client, f"/v1/claims/{DUBAI_BASED}")
    (contradicts,) = _links(paraphrase, "contradicts")
    assert contradicts["claim"]["basis"] == "quote"
    assert contradicts["claim"]["quote"] == "Careem, Pakistan\u2019s homegrown ride-hailing service"
    # Corroboration counts what bears on a claim, not what it bears on.
    assert paraphrase["corroboration"]["contradicting_sources"] == 0


def test_own_document_and_publisher_never_corroborate(curator: Curator) -> None:
    own = {
        "subject_id": "pkit-037",
        "type": "supports",
        "object_id": "pkit-041",
        "note": "Test: same article.",
    }
    assert curator.write("POST", "/v1/relations", own).status_code == 201
    claim = get_json(curator.client, "/v1/claims/pkit-041")
    assert [link["claim"]["id"] for link in _links(claim, "supported_by")] == ["pkit-037"]
    assert claim["corroboration"]["supporting_sources"] == 0


def test_stored_answers_follow_writes_to_related_claims_documents_and_relations(
    curator: Curator, tmp_path: Path
) -> None:
    load_seed(curator.database, write_cited_seed(tmp_path))

    def homegrown() -> Json:
        # The list reads the stored answers as they are: it shows whether they were refreshed.
        listed = get_json(
            curator.client, "/v1/claims", [("document", "pakistan-it-sector"), ("limit", "100")]
        )
        return next(claim for claim in listed["data"] if claim["id"] == HOMEGROWN)

    patched = curator.write(
        "PATCH", f"/v1/claims/{DUBAI_BASED}", {"statement": "Careem is Dubai-based."}, if_match="current"
    )
    assert patched.status_code == 200, patched.text
    assert _links(homegrown(), "contradicted_by")[0]["claim"]["statement"] == "Careem is Dubai-based."

    renamed = curator.write(
        "PATCH", f"/v1/documents/{DUBAI_SOURCE}", {"publisher": "Example Press"}, if_match="current"
    )
    assert renamed.status_code == 200, renamed.text
    assert _links(homegrown(), "contradicted_by")[0]["claim"]["source"]["publisher"] == "Example Press"
    assert homegrown()["corroboration"]["contradicting_sources"] == 1

    relation_id = _links(homegrown(), "contradicted_by")[0]["relation_id"]
    noted = curator.write("PATCH", f"/v1/relations/{relation_id}", {"note": "Reworded."}, if_match="current")
    assert noted.status_code == 200, noted.text
    assert _links(homegrown(), "contradicted_by")[0]["note"] == "Reworded."

    before = curator.change_count()
    deleted = curator.write("DELETE", f"/v1/claims/{DUBAI_BASED}", if_match="current")
    assert deleted.status_code == 204, deleted.text
    assert DUBAI_BASED not in [link["claim"]["id"] for link in _links(homegrown(), "contradicted_by")]
    # The claim's relation went with it, logged as a change of its own before the claim's.
    latest = walk(curator.client, "/v1/changes", limit=100)[0][before:]
    assert [(change["type"], change["action"]) for change in latest] == [
        ("relation", "delete"),
        ("claim", "delete"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("contradicted", "true")], {HOMEGROWN}),
        ([("supported", "true")], {SUCCESS}),
        ([("min_supporting_sources", "1")], {SUCCESS}),
        ([("min_supporting_sources", "2")], set()),
        ([("relation", "part-of")], {HOMEGROWN, SUCCESS}),
        ([("relation", "supports,contradicts"), ("document", DUBAI_SOURCE)], {DUBAI_BASED}),
        ([("contradicted", "true"), ("entity", "careem")], {HOMEGROWN}),  # not a range: a keyset SELECT
    ],
)
def test_relation_filters_select_claims_by_their_relations(
    cited: Curator, cited_seed: SeedData, params: list[tuple[str, str]], expected: set[str]
) -> None:
    claims, total = walk(cited.client, "/v1/claims", params, limit=2)
    assert total == len(expected)
    assert ids(claims) == _expected_order(cited_seed, expected)
    # The same filters narrow the facets and the exports.
    facets = get_json(cited.client, "/v1/claims/facets", params)
    assert facets["total"] == len(expected)
    ndjson = cited.client.get("/v1/claims", params=[*params, ("format", "ndjson")]).text.splitlines()
    assert len(ndjson) == len(expected)


def test_not_contradicted_is_every_other_claim(cited: Curator, cited_seed: SeedData) -> None:
    claims, total = walk(cited.client, "/v1/claims", [("contradicted", "false")], limit=100)
    assert total == len(cited_seed.annotations.claims) - 1
    assert HOMEGROWN not in ids(claims)


def test_contested_claims_come_first(cited: Curator, cited_seed: SeedData) -> None:
    for limit in (1, 100):
        claims, total = walk(cited.client, "/v1/claims", [("sort", "contested")], limit=limit)
        assert total == len(cited_seed.annotations.claims)
        assert ids(claims)[0] == HOMEGROWN
        assert ids(claims)[1:] == [i for i in _expected_order(cited_seed) if i != HOMEGROWN]


@pytest.mark.parametrize(
    "params",
    [
        [("contradicted", "maybe")],
        [("min_supporting_sources", "0")],
        [("min_supporting_sources", "101")],
        [("relation", "refutes")],
        [("sort", "loudest")],
    ],
)
def test_bad_relation_filters_are_refused(cited: Curator, params: list[tuple[str, str | int]]) -> None:
    assert_problem(cited.client.get("/v1/claims", params=list(params)), 422)


def test_the_relation_facet_counts_claims_per_relation_type(cited: Curator, cited_seed: SeedData) -> None:
    def counted(params: list[tuple[str, str]]) -> dict[str, tuple[int, bool]]:
        facet = get_json(cited.client, "/v1/claims/facets", params)["facets"]["relation"]
        return {value["value"]: (value["count"], value["selected"]) for value in facet}

    in_relation: dict[str, set[str]] = {}
    for relation in cited_seed.annotations.relations:
        in_relation.setdefault(relation.type, set()).update({relation.subject, relation.object})
    everything = counted([])
    assert everything == {
        kind: (len(in_relation.get(kind, set())), False)
        for kind in ("supports", "contradicts", "qualifies", "same-as", "part-of")
    }
    # Disjunctive: the relation filter does not narrow its own facet, every other filter does.
    assert counted([("relation", "part-of")])["contradicts"] == (everything["contradicts"][0], False)
    assert counted([("relation", "part-of")])["part-of"] == (2, True)
    assert counted([("document", DUBAI_SOURCE)])["contradicts"] == (1, False)
