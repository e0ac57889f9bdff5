"""GET /v1/matrix: a cross-tab of claim counts between two dimensions, with the claim filters."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.models import CLAIM_KINDS
from app.schemas.annotations import ClaimIn
from app.services.annotations import read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, Params, assert_problem, get_json
from tests.conftest import StatementLog

SEED = read_annotations(DEFAULT_ANNOTATIONS).annotations
DIMENSIONS = ("theme", "entity", "kind", "document")
VALUES: dict[str, list[str]] = {
    "theme": [theme.slug for theme in SEED.themes],
    "entity": [entity.slug for entity in SEED.entities],
    "kind": list(CLAIM_KINDS),
    "document": [document.id for document in SEED.documents],
}
LABELS: dict[str, dict[str, str]] = {
    "theme": {theme.slug: theme.name for theme in SEED.themes},
    "entity": {entity.slug: entity.name for entity in SEED.entities},
    "kind": {kind: kind for kind in CLAIM_KINDS},
    "document": {document.id: document.title for document in SEED.documents},
}
# (rows, cols, filters on neither dimension): each cell can be checked against the claim list's total.
CASES: list[tuple[str, str, Params]] = [
    ("theme", "kind", []),
    ("entity", "theme", [("kind", "fact")]),
    ("kind", "document", [("q", "growth")]),
    ("document", "entity", [("theme", "talent-workforce,outlook")]),
    ("entity", "kind", [("theme", "startups-entrepreneurship"), ("document", DOCUMENT_ID)]),
]


def _total(client: TestClient, params: Params) -> int:
    total: int = get_json(client, "/v1/claims", [*params, ("limit", 1)])["meta"]["total"]
    return total


def _matrix(client: TestClient, rows: str, cols: str, params: Params = ()) -> Json:
    body: Json = get_json(client, "/v1/matrix", [("rows", rows), ("cols", cols), *params])
    assert set(body) == {"rows", "cols", "counts", "row_totals", "col_totals", "total"}
    assert len(body["counts"]) == len(body["rows"]) == len(body["row_totals"])
    assert all(len(line) == len(body["cols"]) == len(body["col_totals"]) for line in body["counts"])
    return body


@pytest.mark.parametrize(("rows", "cols", "params"), CASES, ids=[f"{r}x{c}-{p}" for r, c, p in CASES])
def test_matrix_cells_and_totals_are_the_totals_of_the_filtered_claim_lists(
    client: TestClient, rows: str, cols: str, params: Params
) -> None:
    body = _matrix(client, rows, cols, params)
    assert body["total"] == _total(client, params)
    row_totals = {value: _total(client, [*params, (rows, value)]) for value in VALUES[rows]}
    col_totals = {value: _total(client, [*params, (cols, value)]) for value in VALUES[cols]}
    # Every value some filtered claim carries, and no other, largest total first, then by label.
    assert {row["value"]: total for row, total in zip(body["rows"], body["row_totals"], strict=True)} == {
        value: total for value, total in row_totals.items() if total > 0
    }
    assert {col["value"]: total for col, total in zip(body["cols"], body["col_totals"], strict=True)} == {
        value: total for value, total in col_totals.items() if total > 0
    }
    for axis, dimension in (("rows", rows), ("cols", cols)):
        assert all(item["label"] == LABELS[dimension][item["value"]] for item in body[axis])
        keys = [
            (-total, item["label"])
            for item, total in zip(body[axis], body[axis[:3] + "_totals"], strict=True)
        ]
        assert keys == sorted(keys)
    for row, line in zip(body["rows"], body["counts"], strict=True):
        for col, count in zip(body["cols"], line, strict=True):
            assert count == _total(client, [*params, (rows, row["value"]), (cols, col["value"])]), (row, col)


def test_matrix_cells_of_a_filtered_dimension_count_claims_matching_every_filter(client: TestClient) -> None:
    """With the rows' own dimension filtered, rows are every theme the filtered claims carry."""
    body = _matrix(client, "theme", "kind", [("theme", "outlook")])
    claims = [claim for claim in SEED.claims if "outlook" in claim.themes]

    def count(keep: list[ClaimIn], theme: str, kind: str | None = None) -> int:
        return sum(1 for claim in keep if theme in claim.themes and kind in {None, claim.kind})

    assert body["total"] == len(claims)
    expected_rows = {theme for claim in claims for theme in claim.themes}
    assert {row["value"] for row in body["rows"]} == expected_rows
    assert body["row_totals"] == [count(claims, row["value"]) for row in body["rows"]]
    assert body["col_totals"] == [sum(1 for c in claims if c.kind == col["value"]) for col in body["cols"]]
    assert body["counts"] == [
        [count(claims, row["value"], col["value"]) for col in body["cols"]] for row in body["rows"]
    ]


def test_matrix_of_a_filter_matching_no_claim_is_empty(client: TestClient) -> None:
    params: Params = [("entity", "careem"), ("kind", "prediction")]
    body = _matrix(client, "theme", "entity", params)
    assert body == {"rows": [], "cols": [], "counts": [], "row_totals": [], "col_totals": [], "total": 0}


def test_matrix_defaults_to_themes_by_entities(client: TestClient) -> None:
    assert get_json(client, "/v1/matrix") == _matrix(client, "theme", "entity")


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_matrix_of_a_dimension_by_itself_answers_422(client: TestClient, dimension: str) -> None:
    response = client.get("/v1/matrix", params={"rows": dimension, "cols": dimension})
    body = assert_problem(response, 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == ["query.cols"]


@pytest.mark.parametrize(
    "params",
    [{"rows": "claim"}, {"cols": "Theme"}, {"rows": ""}, {"rows": "theme", "cols": "entity", "sort": "x"}],
)
def test_matrix_of_an_unknown_dimension_answers_422(client: TestClient, params: dict[str, str]) -> None:
    assert_problem(client.get("/v1/matrix", params=params), 422, "invalid-request")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("theme", "no-such-theme")], "theme"),
        ([("entity", "careem,nobody")], "entity"),
        ([("kind", "rumour")], "kind"),
        ([("document", "no-such-document")], "document"),
    ],
)
def test_matrix_with_an_unknown_filter_value_answers_422_naming_it(
    client: TestClient, params: Params, parameter: str
) -> None:
    body = assert_problem(client.get("/v1/matrix", params=list(params)), 422, "unknown-filter-value")
    assert body["parameter"] == parameter
    assert body == client.get("/v1/claims", params=list(params)).json()


def _statements(client: TestClient, log: StatementLog, rows: str, cols: str, params: Params) -> int:
    log.statements.clear()
    _matrix(client, rows, cols, params)
    return len(log.statements)


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("kind", "fact,opinion")],
        [("theme", "investment-funding"), ("entity", "pakistan,careem")],
        [("q", "growth")],
    ],
)
def test_matrix_runs_the_same_few_statements_for_every_pair_of_dimensions(
    client: TestClient, statement_log: StatementLog, params: Params
) -> None:
    counts = {
        (rows, cols): _statements(client, statement_log, rows, cols, params)
        for rows in DIMENSIONS
        for cols in DIMENSIONS
        if rows != cols
    }
    assert len(set(counts.values())) == 1, counts
    assert 0 < counts["theme", "entity"] <= 7, statement_log.statements


def test_matrix_runs_the_same_statements_however_many_values_a_filter_names(
    client: TestClient, statement_log: StatementLog
) -> None:
    few = _statements(client, statement_log, "theme", "entity", [("kind", "prediction")])
    many = _statements(client, statement_log, "theme", "entity", [("kind", ",".join(CLAIM_KINDS))])
    assert few == many
