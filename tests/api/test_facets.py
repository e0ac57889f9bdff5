"""GET /v1/claims/facets: counts per theme, entity, kind and document, each facet ignoring its own filter."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient

from app.models import CLAIM_KINDS
from app.services.annotations import read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, Params, assert_problem, entity_slug_by_key, fold, get_json
from tests.conftest import StatementLog

SEED = read_annotations(DEFAULT_ANNOTATIONS)
FACETS = ("theme", "entity", "kind", "document")
# Every value each facet can take, from the seed file rather than from the API.
VALUES: dict[str, list[str]] = {
    "theme": [theme.slug for theme in SEED.annotations.themes],
    "entity": [entity.slug for entity in SEED.annotations.entities],
    "kind": list(CLAIM_KINDS),
    "document": [document.id for document in SEED.annotations.documents],
}
FILTERS: list[Params] = [
    [],
    [("theme", "talent-workforce")],
    [("theme", "talent-workforce,outlook"), ("kind", "fact")],
    [("entity", "Careem Networks"), ("entity", "daraz.pk")],
    [("entity", "careem"), ("kind", "prediction")],
    [("document", DOCUMENT_ID), ("kind", "opinion,Prediction"), ("theme", "sector-growth")],
    [("theme", "government-policy"), ("entity", "pakistan"), ("kind", "fact")],
    [("q", "growth"), ("kind", "fact")],
    [("q", "careem OR daraz"), ("theme", "startups-entrepreneurship"), ("sort", "position")],
]


def _total(client: TestClient, params: Params) -> int:
    total: int = get_json(client, "/v1/claims", [*params, ("limit", 1)])["meta"]["total"]
    return total


def _without(params: Params, facet: str) -> list[tuple[str, str | int]]:
    return [(name, value) for name, value in params if name != facet]


def _selected(params: Params, facet: str) -> set[str]:
    """The facet's values the request filters on, as the facet names them (slugs, lower-case kinds)."""
    values = {part.strip() for name, value in params if name == facet for part in str(value).split(",")}
    if facet == "entity":
        by_key = entity_slug_by_key(SEED)
        return {by_key[fold(value)] for value in values}
    return {value.lower() for value in values} if facet in {"theme", "kind"} else values


def _facets(client: TestClient, params: Params) -> Json:
    body: Json = get_json(client, "/v1/claims/facets", params)
    assert set(body) == {"total", "facets"}
    # `relation` counts claims per relation type (tests/api/test_cited_claims.py).
    assert set(body["facets"]) == {*FACETS, "relation"}
    return body


@pytest.mark.parametrize("params", FILTERS, ids=[str(params) for params in FILTERS])
def test_facets_total_is_the_total_of_the_same_claim_list(client: TestClient, params: Params) -> None:
    assert _facets(client, params)["total"] == _total(client, params)


@pytest.mark.parametrize("params", FILTERS, ids=[str(params) for params in FILTERS])
@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_are_the_totals_of_the_list_with_the_value_instead_of_the_facets_own_filter(
    client: TestClient, params: Params, facet: str
) -> None:
    """Disjunctive faceting: a value's count applies every other filter, and the value as this filter."""
    listed = {item["value"]: item for item in _facets(client, params)["facets"][facet]}
    selected = _selected(params, facet)
    expected = {value: _total(client, [*_without(params, facet), (facet, value)]) for value in VALUES[facet]}
    shown = {value: count for value, count in expected.items() if count > 0 or value in selected}
    assert {value: item["count"] for value, item in listed.items()} == shown
    assert {value for value, item in listed.items() if item["selected"]} == selected


@pytest.mark.parametrize("params", FILTERS, ids=[str(params) for params in FILTERS])
def test_facet_values_are_ordered_by_count_then_label(client: TestClient, params: Params) -> None:
    for facet, items in _facets(client, params)["facets"].items():
        keys = [(-item["count"], item["label"]) for item in items]
        assert keys == sorted(keys), facet


def test_facet_values_are_labelled_with_the_seed_names(client: TestClient) -> None:
    facets = _facets(client, [])["facets"]
    themes = {theme.slug: theme.name for theme in SEED.annotations.themes}
    entities = {entity.slug: (entity.name, entity.type) for entity in SEED.annotations.entities}
    documents = {document.id: document.title for document in SEED.annotations.documents}
    assert all(item["label"] == themes[item["value"]] for item in facets["theme"])
    for item in facets["entity"]:
        assert set(item) == {"value", "label", "count", "selected", "type"}
        assert (item["label"], item["type"]) == entities[item["value"]]
    assert {item["value"]: item["label"] for item in facets["document"]} == documents
    assert all(item["label"] == item["value"] for item in facets["kind"])
    for facet in ("theme", "kind", "document"):
        assert all(set(item) == {"value", "label", "count", "selected"} for item in facets[facet])


def test_a_selected_value_matching_no_claim_is_listed_with_count_0(client: TestClient) -> None:
    params: Params = [("entity", "careem"), ("kind", "prediction")]
    assert _total(client, params) == 0, "the case this test is about"
    facets = _facets(client, params)["facets"]
    assert {"value": "prediction", "label": "prediction", "count": 0, "selected": True} in facets["kind"]
    careem = next(item for item in facets["entity"] if item["value"] == "careem")
    assert (careem["count"], careem["selected"]) == (0, True)


def test_values_of_one_filter_naming_the_same_entity_select_it_once(client: TestClient) -> None:
    params: Params = [("entity", "careem,CAREEM NETWORKS"), ("entity", "Careem Networks FZ-LLC")]
    selected = [item for item in _facets(client, params)["facets"]["entity"] if item["selected"]]
    assert [item["value"] for item in selected] == ["careem"]
    assert selected[0]["count"] == _total(client, [("entity", "careem")])


def test_facets_is_not_taken_for_a_claim_id(client: TestClient) -> None:
    # /v1/claims/{claim_id} would answer 404 "No claim 'facets'" if its router came first.
    assert "total" in _facets(client, [])


@pytest.mark.parametrize(
    ("params", "parameter", "values"),
    [
        ([("theme", "talent-workforce,no-such-theme")], "theme", ["no-such-theme"]),
        ([("entity", "nobody")], "entity", ["nobody"]),
        ([("kind", "fact,rumour")], "kind", ["rumour"]),
        ([("document", "no-such-document")], "document", ["no-such-document"]),
        ([("kind", "rumour"), ("document", "no-such-document")], "document", ["no-such-document"]),
    ],
)
def test_unknown_filter_values_answer_the_same_422_as_the_claim_list(
    client: TestClient, params: Params, parameter: str, values: list[str]
) -> None:
    body = assert_problem(client.get("/v1/claims/facets", params=list(params)), 422, "unknown-filter-value")
    assert (body["parameter"], body["values"]) == (parameter, values)
    assert body == client.get("/v1/claims", params=list(params)).json()


@pytest.mark.parametrize("params", [[("q", "")], [("theme", "x" * 201)], [("sort", "alphabetical")]])
def test_invalid_parameters_answer_422(client: TestClient, params: Params) -> None:
    assert_problem(client.get("/v1/claims/facets", params=list(params)), 422, "invalid-request")


def _statements(client: TestClient, log: StatementLog, params: Sequence[tuple[str, str]]) -> int:
    log.statements.clear()
    _facets(client, params)
    return len(log.statements)


@pytest.mark.parametrize(
    "variants",
    [
        [[], [("q", "growth")], [("q", "pakistan")]],
        [[("theme", "investment-funding")], [("theme", "sector-growth,outlook,challenges,talent-workforce")]],
        [[("entity", "fintech")], [("entity", "pakistan,careem,Daraz.pk")]],
        [
            [("kind", "prediction"), ("document", DOCUMENT_ID)],
            [("kind", "fact,opinion"), ("document", DOCUMENT_ID)],
        ],
        [
            [("theme", "outlook"), ("entity", "careem"), ("kind", "prediction")],
            [("theme", "sector-growth,talent-workforce"), ("entity", "pakistan"), ("kind", "fact,opinion")],
        ],
    ],
)
def test_facets_run_a_few_statements_however_many_claims_and_values_match(
    client: TestClient, statement_log: StatementLog, variants: list[list[tuple[str, str]]]
) -> None:
    # A single value's total is read from a tally and several values' counted, so the number of
    # statements depends on the plan, never on how many claims or facet values there are.
    counts = [_statements(client, statement_log, params) for params in variants]
    assert min(counts) > 0, "the statement log saw no query"
    assert max(counts) <= 12, (counts, statement_log.statements)


def test_facets_route_documents_disjunctive_counting(client: TestClient) -> None:
    operation = get_json(client, "/openapi.json")["paths"]["/v1/claims/facets"]["get"]
    assert "disjunctive" in operation["description"].lower()
    assert operation["summary"]


def test_size_keeps_the_largest_counts_and_every_selected_value(client: TestClient) -> None:
    everything = _facets(client, [("size", 1000)])["facets"]["entity"]
    assert len(everything) > 3
    top = _facets(client, [("size", 3)])["facets"]["entity"]
    assert top == everything[:3]
    rare = everything[-1]["value"]
    chosen = _facets(client, [("size", 3), ("entity", rare)])["facets"]["entity"]
    assert [value["value"] for value in chosen[:3]] == [value["value"] for value in everything[:3]]
    assert chosen[-1]["value"] == rare
    assert chosen[-1]["selected"] is True
    assert chosen[-1]["count"] == everything[-1]["count"] > 0  # its count, though it ranks past `size`


@pytest.mark.parametrize("size", ["0", "1001", "-1", "many"])
def test_a_size_out_of_range_is_refused(client: TestClient, size: str) -> None:
    assert_problem(client.get("/v1/claims/facets", params={"size": size}), 422, "invalid-request")


def test_one_themes_entity_facet_read_from_pair_tallies_matches_the_lists(client: TestClient) -> None:
    theme = read_annotations(DEFAULT_ANNOTATIONS).annotations.themes[0].slug
    entities = _facets(client, [("theme", theme), ("size", 1000)])["facets"]["entity"]
    assert entities
    for value in entities:
        assert value["count"] == _total(client, [("theme", theme), ("entity", value["value"])]), value
