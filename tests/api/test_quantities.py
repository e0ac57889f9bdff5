"""Claims in numbers: the figures a claim states, where it states them, and the quantity filters; on every
engine the suite runs on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData
from tests.api.support import Json, Params, assert_problem, get_json, ids, walk
from tests.curation import Curator

AGREEMENT = "uber-to-acquire-careem-associated-press-2019"
RIDES = "careem-largest-market-pakistan-arab-news-2022"


def _text_of(claim: Json) -> str:
    """What a claim's figures index: its quote, or a paraphrase's statement."""
    return str(claim["quote"] if claim["quote"] is not None else claim["statement"])


def test_every_quantity_stands_at_its_span(api_claims: list[Json]) -> None:
    stated = [(claim, quantity) for claim in api_claims for quantity in claim["quantities"]]
    assert len(stated) >= 10
    for claim, quantity in stated:
        span = quantity["span"]
        assert _text_of(claim)[span["start"] : span["end"]] == quantity["text"], claim["id"]


def test_the_reference_figures(api_claims: list[Json]) -> None:
    by_id = {claim["id"]: claim for claim in api_claims}
    agreement = by_id[AGREEMENT]["quantities"]
    assert [(q["amount"], q["unit"], q["scale"], q["text"]) for q in agreement] == [
        (3.1e9, "USD", "billion", "US$3.1 billion"),
        (1.4e9, "USD", "billion", "US$1.4 billion"),
        (1.7e9, "USD", "billion", "US$1.7 billion"),
    ]
    valuation = by_id["careem-valued-2-billion-gulf-news-2019"]["quantities"]
    assert valuation == [
        {
            "amount": 2e9,
            "unit": "USD",
            "scale": "billion",
            "period": None,
            "lower": None,
            "upper": None,
            "approximate": True,
            "span": valuation[0]["span"],
            "text": "about US$2 billion",
        }
    ]
    assert by_id["daraz-raised-55-million-krasia-2018"]["quantities"][0]["amount"] == pytest.approx(55.6e6)
    assert by_id["careem-raised-200-million-engadget-2019"]["quantities"][0]["amount"] == 2e8
    assert (299e6, "rides") in [(q["amount"], q["unit"]) for q in by_id[RIDES]["quantities"]]


def test_seed_quantities_are_the_annotations(api_claims: list[Json], seed_data: SeedData) -> None:
    by_id = {claim["id"]: claim for claim in api_claims}
    for claim in seed_data.annotations.claims:
        assert by_id[claim.id]["quantities"] == [q.model_dump(mode="json") for q in claim.quantities]


def test_usd_above_a_billion_finds_the_uber_careem_figure(client: TestClient, api_claims: list[Json]) -> None:
    params = [("quantity_unit", "USD"), ("quantity_min", "1e9")]
    found, total = walk(client, "/v1/claims", params, limit=100)
    assert AGREEMENT in ids(found)
    assert 0 < total < len(api_claims)
    expected = [
        claim["id"]
        for claim in api_claims
        if any(q["unit"] == "USD" and q["amount"] >= 1e9 for q in claim["quantities"])
    ]
    assert ids(found) == expected
    # US$200 million and US$55.6 million are below it.
    assert "careem-raised-200-million-engadget-2019" not in ids(found)


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ([("quantity_unit", "USD")], lambda q: q["unit"] == "USD"),
        (
            [("quantity_unit", "rides"), ("quantity_max", "250000000")],
            lambda q: q["unit"] == "rides" and q["amount"] <= 2.5e8,
        ),
        (
            [("quantity_unit", "USD"), ("quantity_min", "1e8"), ("quantity_max", "2e9")],
            lambda q: q["unit"] == "USD" and 1e8 <= q["amount"] <= 2e9,
        ),
        ([("quantity_unit", "EUR")], lambda q: q["unit"] == "EUR"),
    ],
)
def test_quantity_filters_match_the_answers(
    client: TestClient, api_claims: list[Json], params: list[tuple[str, str]], predicate: object
) -> None:
    found, _ = walk(client, "/v1/claims", params, limit=100)
    expected = [claim["id"] for claim in api_claims if any(predicate(q) for q in claim["quantities"])]  # type: ignore[operator]
    assert ids(found) == expected


def test_bounds_alone_span_units_and_crossed_bounds_match_nothing(
    client: TestClient, api_claims: list[Json]
) -> None:
    found, _ = walk(client, "/v1/claims", [("quantity_min", "1e9")], limit=100)
    expected = [c["id"] for c in api_claims if any(q["amount"] >= 1e9 for q in c["quantities"])]
    assert ids(found) == expected
    assert {q["unit"] for c in found for q in c["quantities"] if q["amount"] >= 1e9} == {"USD", "rides"}
    crossed = [("quantity_unit", "USD"), ("quantity_min", "5"), ("quantity_max", "4")]
    assert get_json(client, "/v1/claims", crossed)["meta"]["total"] == 0


def test_quantity_filter_with_other_filters_and_nested_lists(client: TestClient) -> None:
    params = [("quantity_unit", "USD"), ("quantity_min", "1e9"), ("limit", "100")]
    nested = get_json(client, "/v1/entities/careem/claims", params)
    assert AGREEMENT in ids(nested["data"])
    by_date = get_json(client, "/v1/claims", [*params, ("as_of", "2019-06-01"), ("sort", "valid_from")])
    assert AGREEMENT in ids(by_date["data"])
    assert get_json(client, "/v1/claims", [*params, ("kind", "opinion")])["meta"]["total"] == 0


@pytest.mark.parametrize(
    "params",
    [
        [("quantity_unit", "usd")],
        [("quantity_unit", "furlongs")],
        [("quantity_unit", "USD"), ("quantity_min", "inf")],
        [("quantity_unit", "USD"), ("quantity_min", "nan")],
        [("quantity_unit", "USD"), ("quantity_max", "1e300")],
        [("quantity_unit", "USD"), ("quantity_min", "lots")],
    ],
)
def test_bad_quantity_filters_are_problems(client: TestClient, params: Params) -> None:
    assert_problem(client.get("/v1/claims", params=list(params)), 422)


def test_csv_export_carries_the_figures(client: TestClient) -> None:
    response = client.get(
        "/v1/claims", params={"format": "csv", "quantity_unit": "USD", "quantity_min": "1e9"}
    )
    assert response.status_code == 200
    header, *rows = response.text.splitlines()
    assert header.endswith("valid_from,valid_to,quantities,quantities_json")
    assert any(AGREEMENT in row and "3.1e+09 USD" in row and "2019-03-26" in row for row in rows)


def test_jsonld_carries_the_figures_and_dates(client: TestClient) -> None:
    response = client.get(
        "/v1/claims", params={"format": "jsonld", "quantity_unit": "USD", "quantity_min": "3e9"}
    )
    assert response.status_code == 200, response.text
    graph = response.json()
    (node,) = [node for node in graph["@graph"] if node["identifier"] == AGREEMENT]
    assert node["validFrom"] == "2019-03-26"
    assert node["quantity"][0] == {
        "@type": "MonetaryAmount",
        "value": 3.1e9,
        "currency": "USD",
        "statedAs": "US$3.1 billion",
    }


def test_writes_carry_quantities_checked_against_the_text(curator: Curator) -> None:
    body = {
        "document": "wikipedia-careem",
        "statement": "Careem\u2019s Super App business was spun out in April 2023, e& taking a 50.03% stake.",
        "kind": "fact",
        "themes": ["startups-entrepreneurship"],
        "validity": {"valid_from": "2023-04"},
        "quantities": [
            {"amount": 50.03, "unit": "percent", "span": {"start": 68, "end": 74}, "text": "50.03%"}
        ],
    }
    assert body["statement"][68:74] == "50.03%"  # type: ignore[index]
    created = curator.write("POST", "/v1/claims", body)
    assert created.status_code == 201, created.text
    claim = created.json()
    assert claim["quantities"][0]["amount"] == 50.03
    assert claim["quantities"][0]["approximate"] is False
    found = get_json(curator.client, "/v1/claims", [("quantity_unit", "percent"), ("quantity_min", "50")])
    assert ids(found["data"]) == [claim["id"]]
    path = f"/v1/claims/{claim['id']}"
    # A new statement that moves the figure away from its span is refused.
    moved = curator.write(
        "PATCH", path, {"statement": "In April 2023 e& took a 50.03% stake."}, if_match="current"
    )
    problem = assert_problem(moved, 422)
    assert "body.quantities" in str(problem)
    cleared = curator.write("PATCH", path, {"quantities": []}, if_match="current")
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["quantities"] == []
    assert get_json(curator.client, "/v1/claims", [("quantity_unit", "percent")])["meta"]["total"] == 0


@pytest.mark.parametrize(
    "quantity",
    [
        {"amount": 1, "unit": "USD", "span": {"start": 0, "end": 3}, "text": "nope"},
        {"amount": 1, "unit": "USD", "span": {"start": 0, "end": 500}, "text": "x"},
        {"amount": 1, "unit": "parsecs", "span": {"start": 0, "end": 1}, "text": "A"},
        {"amount": 1, "unit": "usd", "span": {"start": 0, "end": 1}, "text": "A"},
        {"amount": 1e300, "unit": "USD", "span": {"start": 0, "end": 1}, "text": "A"},
        {"amount": 5, "unit": "USD", "lower": 6, "span": {"start": 0, "end": 1}, "text": "A"},
        {"amount": 1, "unit": "USD", "span": {"start": 2, "end": 1}, "text": "A"},
        {"amount": 1, "unit": "USD", "scale": "zillion", "span": {"start": 0, "end": 1}, "text": "A"},
    ],
)
def test_bad_quantities_are_problems(refusing_curator: Curator, quantity: Json) -> None:
    body = {
        "document": "wikipedia-careem",
        "statement": "A statement of no figure.",
        "kind": "fact",
        "themes": ["startups-entrepreneurship"],
        "quantities": [quantity],
    }
    assert_problem(refusing_curator.write("POST", "/v1/claims", body), 422)
