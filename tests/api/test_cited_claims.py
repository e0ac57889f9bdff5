"""Cited documents and their paraphrase claims beside the article's quoted claims: every list, cursor,
range, tally, search, export and citation carries them, in one order on both engines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.services.annotations import SeedData, read_annotations
from seed.loader import load_seed
from tests.api.support import Json, assert_problem, get_json, ids, walk
from tests.curation import Curator, curating
from tests.databases import fresh_database_url
from tests.services import related
from tests.services.cited import DUBAI_BASED, DUBAI_SOURCE, HOMEGROWN, SUCCESS, write_cited_seed
from tests.services.related import claims_by_id, corroboration, in_order, source_of


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
    assert wanted & related.paraphrases(cited_seed), "the filter selects paraphrases"
    assert total == len(wanted)
    assert ids(claims) == _expected_order(cited_seed, wanted)


def test_a_paraphrase_says_so_and_carries_its_source(cited: Curator, cited_seed: SeedData) -> None:
    claim = get_json(cited.client, f"/v1/claims/{DUBAI_BASED}")
    assert claim["basis"] == "paraphrase"
    assert claim["quote"] is None
    assert claim["span"] is None
    assert claim["statement"] == claims_by_id(cited_seed)[DUBAI_BASED].statement
    assert claim["source"] == source_of(cited_seed, DUBAI_BASED)
    assert claim["source"]["document_id"] == DUBAI_SOURCE
    assert claim["source"]["text_held"] is False
    article = get_json(cited.client, "/v1/claims/pkit-038")
    assert article["basis"] == "quote"
    assert article["source"]["text_held"] is True


def test_a_cited_document_holds_no_text(cited: Curator, cited_seed: SeedData) -> None:
    document = get_json(cited.client, f"/v1/documents/{DUBAI_SOURCE}")
    assert document["text_held"] is False
    assert document["text"] is None
    assert document["sha256"] is None
    assert document["length"] is None
    assert document["claim_count"] == len(
        [c for c in cited_seed.annotations.claims if c.document == DUBAI_SOURCE]
    )
    partial = get_json(cited.client, "/v1/documents/example-press-two")
    assert partial["published_date"] == "2019-05"
    documents, _ = walk(cited.client, "/v1/documents")
    held = {d["id"]: d["text_held"] for d in documents}
    assert held["pakistan-it-sector"] is True
    assert held[DUBAI_SOURCE] is False


def test_search_finds_a_paraphrase_by_its_statement(cited: Curator) -> None:
    hits = get_json(cited.client, "/v1/search", [("q", "Dubai"), ("type", "claim")])["data"]
    assert DUBAI_BASED in {hit["id"] for hit in hits}


def test_a_paraphrase_is_cited_unquoted(cited: Curator, cited_seed: SeedData) -> None:
    source = source_of(cited_seed, DUBAI_BASED)
    citation = get_json(cited.client, f"/v1/claims/{DUBAI_BASED}/cite")
    assert citation["quote"] is None
    assert citation["text_fragment_url"] is None
    assert citation["source"]["published_date"] == source["published_date"]
    statement = claims_by_id(cited_seed)[DUBAI_BASED].statement
    assert citation["citation"].startswith(f"{statement} (paraphrase) — ")
    assert f"{source['publisher']}, {source['published_date']}." in citation["citation"]


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
    source = source_of(cited_seed, DUBAI_BASED)
    assert [node["identifier"] for node in graph] == _expected_order(
        cited_seed, {c.id for c in cited_seed.annotations.claims if c.document == DUBAI_SOURCE}
    )
    for node in graph:
        # A paraphrase appears in its cited document, not in a quoted passage of it.
        assert node["appearance"]["@type"] == "CreativeWork"
        assert node["appearance"]["publisher"] == {"@type": "Organization", "name": source["publisher"]}
        assert node["appearance"]["datePublished"] == source["published_date"]


def test_facets_count_the_cited_documents(cited: Curator, cited_seed: SeedData) -> None:
    facets = get_json(cited.client, "/v1/claims/facets")
    documents = {value["value"]: value["count"] for value in facets["facets"]["document"]}
    held = {d.id for d in cited_seed.annotations.documents if d.held}
    cited_counts: dict[str, int] = {}
    for claim in cited_seed.annotations.claims:
        if claim.document not in held:
            cited_counts[claim.document] = cited_counts.get(claim.document, 0) + 1
    assert {key: documents.get(key) for key in cited_counts} == cited_counts
    assert {DUBAI_SOURCE, "example-press-one"} <= set(cited_counts)


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


def _link_to(claim: Json, relation: str, other: str) -> Json:
    (link,) = [link for link in _links(claim, relation) if link["claim"]["id"] == other]
    return link


def test_the_homegrown_claim_shows_what_contradicts_it_with_sources_and_dates(
    cited: Curator, cited_seed: SeedData
) -> None:
    claim = get_json(cited.client, f"/v1/claims/{HOMEGROWN}")
    contradicting = _links(claim, "contradicted_by")
    expected = related.subjects(cited_seed, "contradicts", HOMEGROWN)
    assert {DUBAI_BASED, "example-one-dubai", "example-two-dubai"} <= expected
    assert [link["claim"]["id"] for link in contradicting] == in_order(cited_seed, expected)
    dubai = _link_to(claim, "contradicted_by", DUBAI_BASED)
    (note,) = [
        r.note
        for r in cited_seed.annotations.relations
        if (r.subject, r.type, r.object) == (DUBAI_BASED, "contradicts", HOMEGROWN)
    ]
    paraphrase = claims_by_id(cited_seed)[DUBAI_BASED]
    assert dubai["type"] == "contradicts"
    assert dubai["note"] == note
    assert dubai["claim"] == {
        "id": DUBAI_BASED,
        "statement": paraphrase.statement,
        "basis": "paraphrase",
        "quote": None,
        "kind": paraphrase.kind,
        "source": source_of(cited_seed, DUBAI_BASED),
    }
    assert dubai["claim"]["source"]["published_date"] is not None
    assert get_json(cited.client, f"/v1/relations/{dubai['relation_id']}")["subject_id"] == DUBAI_BASED
    part_of = [link["claim"]["id"] for link in _links(claim, "part_of")]
    assert part_of == in_order(cited_seed, related.objects(cited_seed, "part-of", HOMEGROWN)) == [SUCCESS]
    # Counted by publisher: Example Press's two documents are one independent source.
    assert claim["corroboration"] == corroboration(cited_seed, HOMEGROWN)
    publishers = {source_of(cited_seed, s)["publisher"] for s in expected}
    assert claim["corroboration"]["contradicting_sources"] == len(publishers) < len(expected)


def test_each_side_of_a_relation_shows_the_other(cited: Curator, cited_seed: SeedData) -> None:
    success = get_json(cited.client, f"/v1/claims/{SUCCESS}")
    supporting = related.subjects(cited_seed, "supports", SUCCESS)
    assert "sample-one-success" in supporting
    assert [link["claim"]["id"] for link in _links(success, "supported_by")] == in_order(
        cited_seed, supporting
    )
    parts = related.subjects(cited_seed, "part-of", SUCCESS)
    assert HOMEGROWN in parts
    assert [link["claim"]["id"] for link in _links(success, "has_part")] == in_order(cited_seed, parts)
    assert success["corroboration"] == corroboration(cited_seed, SUCCESS)
    assert success["corroboration"]["supporting_sources"] > 0
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
    curator: Curator, cited_seed: SeedData, tmp_path: Path
) -> None:
    load_seed(curator.database, write_cited_seed(tmp_path))

    def dubai() -> Json:
        return _link_to(homegrown(), "contradicted_by", DUBAI_BASED)

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
    assert dubai()["claim"]["statement"] == "Careem is Dubai-based."

    renamed = curator.write(
        "PATCH", f"/v1/documents/{DUBAI_SOURCE}", {"publisher": "Example Press"}, if_match="current"
    )
    assert renamed.status_code == 200, renamed.text
    assert dubai()["claim"]["source"]["publisher"] == "Example Press"
    # The document's claims now count with Example Press's: one independent source fewer, or as many.
    renamed_counts = corroboration(cited_seed, HOMEGROWN, {DUBAI_SOURCE: "Example Press"})
    assert homegrown()["corroboration"] == renamed_counts
    assert renamed_counts != corroboration(cited_seed, HOMEGROWN)

    relation_id = dubai()["relation_id"]
    noted = curator.write("PATCH", f"/v1/relations/{relation_id}", {"note": "Reworded."}, if_match="current")
    assert noted.status_code == 200, noted.text
    assert dubai()["note"] == "Reworded."

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


def _supported_by_at_least(seed: SeedData, count: int) -> set[str]:
    return {c.id for c in seed.annotations.claims if corroboration(seed, c.id)["supporting_sources"] >= count}


def _of_document(seed: SeedData, document_id: str) -> set[str]:
    return {c.id for c in seed.annotations.claims if c.document == document_id}


def _with_entity(seed: SeedData, entity: str) -> set[str]:
    return {c.id for c in seed.annotations.claims if entity in c.entities}


Expect = Callable[[SeedData], set[str]]
RELATION_FILTERS: list[tuple[list[tuple[str, str]], Expect]] = [
    ([("contradicted", "true")], lambda seed: related.objects(seed, "contradicts")),
    ([("supported", "true")], lambda seed: related.objects(seed, "supports")),
    ([("min_supporting_sources", "1")], lambda seed: _supported_by_at_least(seed, 1)),
    ([("min_supporting_sources", "2")], lambda seed: _supported_by_at_least(seed, 2)),
    ([("min_supporting_sources", "100")], lambda seed: _supported_by_at_least(seed, 100)),
    ([("relation", "part-of")], lambda seed: related.in_relation(seed, "part-of")),
    (
        [("relation", "supports,contradicts"), ("document", DUBAI_SOURCE)],
        lambda seed: related.in_relation(seed, "supports", "contradicts") & _of_document(seed, DUBAI_SOURCE),
    ),
    (  # not a range: a keyset SELECT
        [("contradicted", "true"), ("entity", "careem")],
        lambda seed: related.objects(seed, "contradicts") & _with_entity(seed, "careem"),
    ),
]


@pytest.mark.parametrize(("params", "expect"), RELATION_FILTERS)
def test_relation_filters_select_claims_by_their_relations(
    cited: Curator, cited_seed: SeedData, params: list[tuple[str, str]], expect: Expect
) -> None:
    expected = expect(cited_seed)
    # Each filter selects some claims but not all, except the bound no claim reaches.
    assert len(expected) < len(cited_seed.annotations.claims)
    assert expected or ("min_supporting_sources", "100") in params
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
    contradicted = related.objects(cited_seed, "contradicts")
    assert HOMEGROWN in contradicted
    assert ids(claims) == [i for i in _expected_order(cited_seed) if i not in contradicted]
    assert total == len(cited_seed.annotations.claims) - len(contradicted)


def _contested(seed: SeedData) -> Callable[[str], tuple[int, int]]:
    """Sort key of the contested order: most contradicting, then most qualifying sources (a stable sort
    keeps document order among equals)."""

    def key(claim_id: str) -> tuple[int, int]:
        counts = corroboration(seed, claim_id)
        return -counts["contradicting_sources"], -counts["qualifying_sources"]

    return key


def test_contested_claims_come_first(cited: Curator, cited_seed: SeedData) -> None:
    for limit in (1, 100):
        claims, total = walk(cited.client, "/v1/claims", [("sort", "contested")], limit=limit)
        assert total == len(cited_seed.annotations.claims)
        assert ids(claims)[0] == HOMEGROWN
        assert ids(claims) == sorted(_expected_order(cited_seed), key=_contested(cited_seed))


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
    assert counted([("relation", "part-of")])["part-of"] == (len(in_relation["part-of"]), True)
    of_document = {c.id for c in cited_seed.annotations.claims if c.document == DUBAI_SOURCE}
    assert counted([("document", DUBAI_SOURCE)])["contradicts"] == (
        len(in_relation["contradicts"] & of_document),
        False,
    )
