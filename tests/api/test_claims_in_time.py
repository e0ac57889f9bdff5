"""Claims in time: validity dates with their precision, `as_of` on every claim list, the date sort, and
the documents' date precisions; on every engine the suite runs on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.schemas.measures import first_day, last_day
from app.services.annotations import SeedData
from tests.api.support import Json, Params, assert_problem, get_json, ids, walk
from tests.curation import Curator

AGREEMENT = "uber-to-acquire-careem-associated-press-2019"
COMPLETION = "uber-completed-careem-acquisition-wikipedia"
DARAZ = "alibaba-acquires-daraz-geo-news-2018"
VALUATION = "careem-valued-2-billion-gulf-news-2019"


def _holds(validity: Json, day: str) -> bool:
    """The documented reading, on the answer's own fields: known to hold on `day`."""
    start, end = validity["valid_from"], validity["valid_to"]
    if start is None:
        return False
    return last_day(start) <= day and (end is None or first_day(end) >= day)


def test_every_claim_states_its_validity_and_precisions(api_claims: list[Json]) -> None:
    for claim in api_claims:
        validity = claim["validity"]
        for end in ("valid_from", "valid_to"):
            date = validity[end]
            expected = None if date is None else {4: "year", 7: "month", 10: "day"}[len(date)]
            assert validity[f"{end}_precision"] == expected, claim["id"]
    by_id = {claim["id"]: claim for claim in api_claims}
    assert by_id[AGREEMENT]["validity"] == {
        "valid_from": "2019-03-26",
        "valid_from_precision": "day",
        "valid_to": None,
        "valid_to_precision": None,
    }
    assert by_id[COMPLETION]["validity"]["valid_from"] == "2020-01"
    assert by_id[COMPLETION]["validity"]["valid_from_precision"] == "month"
    assert by_id[DARAZ]["validity"]["valid_from"] == "2018-05-08"


def test_seed_validity_is_what_the_annotations_give(api_claims: list[Json], seed_data: SeedData) -> None:
    by_id = {claim["id"]: claim for claim in api_claims}
    for claim in seed_data.annotations.claims:
        given = claim.validity
        shown = by_id[claim.id]["validity"]
        assert shown["valid_from"] == (given.valid_from if given else None)
        assert shown["valid_to"] == (given.valid_to if given else None)


def test_as_of_answers_the_claims_known_to_hold_then(client: TestClient, api_claims: list[Json]) -> None:
    held, total = walk(client, "/v1/claims", [("as_of", "2019-06-01")], limit=100)
    assert total == len(held)
    found = set(ids(held))
    assert AGREEMENT in found
    assert DARAZ in found
    # Completed in January 2020: known to start later.
    assert COMPLETION not in found
    # Valued "in 2018": an event of 2018, known from the end of 2018 on.
    assert VALUATION in found
    expected = [claim["id"] for claim in api_claims if _holds(claim["validity"], "2019-06-01")]
    assert ids(held) == expected
    page = get_json(client, "/v1/claims", [("as_of", "2019-06-01")])
    undated = [claim for claim in api_claims if claim["validity"]["valid_from"] is None]
    assert page["meta"]["undated_left_out"] == len(undated) > 0


def test_as_of_with_include_undated_adds_the_undated(client: TestClient, api_claims: list[Json]) -> None:
    with_undated, _ = walk(
        client, "/v1/claims", [("as_of", "2019-06-01"), ("include_undated", "true")], limit=100
    )
    expected = [
        claim["id"]
        for claim in api_claims
        if _holds(claim["validity"], "2019-06-01") or claim["validity"]["valid_from"] is None
    ]
    assert ids(with_undated) == expected
    page = get_json(client, "/v1/claims", [("as_of", "2019-06-01"), ("include_undated", "true")])
    assert page["meta"]["undated_left_out"] == 0


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        # A month holds only what is known to hold throughout it: the completion in "2020-01" could be
        # on the 31st.
        ("2020-01", [AGREEMENT], [COMPLETION]),
        ("2020-02-01", [AGREEMENT, COMPLETION], []),
        ("2018", [], [DARAZ, AGREEMENT]),
        ("2018-12-31", [DARAZ, VALUATION], [AGREEMENT]),
    ],
)
def test_as_of_reads_partial_dates_conservatively(
    client: TestClient, as_of: str, inside: list[str], outside: list[str]
) -> None:
    found = set(ids(walk(client, "/v1/claims", [("as_of", as_of)], limit=100)[0]))
    assert set(inside) <= found
    assert not set(outside) & found


def test_as_of_on_nested_lists_and_with_other_filters(client: TestClient) -> None:
    nested = get_json(client, "/v1/entities/careem/claims", [("as_of", "2019-06-01"), ("limit", "100")])
    assert AGREEMENT in ids(nested["data"])
    assert COMPLETION not in ids(nested["data"])
    assert nested["meta"]["undated_left_out"] > 0
    themed = get_json(
        client, "/v1/themes/investment-funding/claims", [("as_of", "2019-06-01"), ("limit", "100")]
    )
    assert all(_holds(claim["validity"], "2019-06-01") for claim in themed["data"])
    searched = get_json(client, "/v1/claims", [("as_of", "2019-06-01"), ("q", "Careem")])
    assert AGREEMENT in ids(searched["data"])
    assert COMPLETION not in ids(searched["data"])
    assert "undated_left_out" in searched["meta"]


def test_without_as_of_the_meta_has_no_undated_count(client: TestClient) -> None:
    for params in ([], [("sort", "contested")], [("q", "Careem")], [("sort", "valid_from")]):
        assert "undated_left_out" not in get_json(client, "/v1/claims", params)["meta"]


@pytest.mark.parametrize("sort", ["valid_from", "-valid_from"])
def test_sort_by_date_walks_every_claim_dated_first(
    client: TestClient, api_claims: list[Json], sort: str
) -> None:
    walked, total = walk(client, "/v1/claims", [("sort", sort)], limit=3)
    assert total == len(api_claims) == len(walked)
    position = {claim["id"]: index for index, claim in enumerate(api_claims)}
    dated = [claim for claim in api_claims if claim["validity"]["valid_from"] is not None]
    undated = [claim for claim in api_claims if claim["validity"]["valid_from"] is None]
    ordered = sorted(dated, key=lambda c: position[c["id"]])
    ordered.sort(key=lambda c: c["validity"]["valid_from"], reverse=sort.startswith("-"))
    assert ids(walked) == ids(ordered) + ids(undated)
    assert walked[0]["id"] == (
        COMPLETION if sort.startswith("-") else "careem-founded-in-dubai-gulf-news-2019"
    )


def test_sort_by_date_with_as_of(client: TestClient) -> None:
    page = get_json(client, "/v1/claims", [("as_of", "2019-06-01"), ("sort", "-valid_from"), ("limit", "1")])
    assert ids(page["data"]) == [AGREEMENT]
    assert page["meta"]["undated_left_out"] > 0


@pytest.mark.parametrize(
    "params",
    [
        [("as_of", "2019-13-01")],
        [("as_of", "2019-02-30")],
        [("as_of", "yesterday")],
        [("as_of", "19")],
        [("as_of", "2019"), ("include_undated", "maybe")],
        [("sort", "valid_to")],
    ],
)
def test_bad_time_parameters_are_problems(client: TestClient, params: Params) -> None:
    assert_problem(client.get("/v1/claims", params=list(params)), 422)


def test_a_bad_cursor_for_the_date_sort_is_refused(client: TestClient) -> None:
    first = get_json(client, "/v1/claims", [("sort", "valid_from"), ("limit", "1")])
    cursor = first["meta"]["next_cursor"]
    # A cursor of one order is no cursor of the other.
    response = client.get("/v1/claims", params={"sort": "-valid_from", "cursor": cursor})
    assert_problem(response, 400 if response.status_code == 400 else 422)


def test_documents_and_sources_state_date_precisions(client: TestClient, api_claims: list[Json]) -> None:
    documents, _ = walk(client, "/v1/documents", limit=100)
    for document in documents:
        date = document["published_date"]
        assert document["published_precision"] == (
            None if date is None else {4: "year", 7: "month", 10: "day"}[len(date)]
        )
        assert document["retrieved_precision"] == (None if document["retrieved_date"] is None else "day")
    by_id = {document["id"]: document for document in documents}
    assert by_id["asharq-al-awsat-2017-didi-invests-in-careem"]["published_precision"] == "year"
    for claim in api_claims:
        source = claim["source"]
        document = by_id[source["document_id"]]
        assert source["published_precision"] == document["published_precision"]
        assert source["retrieved_date"] == document["retrieved_date"]


def test_writes_set_and_clear_validity(curator: Curator) -> None:
    body = {
        "document": "wikipedia-careem",
        "statement": "Careem\u2019s Super App business was spun out in April 2023.",
        "kind": "fact",
        "themes": ["startups-entrepreneurship"],
        "entities": ["careem"],
        "validity": {"valid_from": "2023-04"},
    }
    created = curator.write("POST", "/v1/claims", body)
    assert created.status_code == 201, created.text
    claim = created.json()
    assert claim["validity"]["valid_from_precision"] == "month"
    path = f"/v1/claims/{claim['id']}"
    assert claim["id"] in ids(
        get_json(curator.client, "/v1/claims", [("as_of", "2024"), ("limit", "100")])["data"]
    )
    assert claim["id"] not in ids(get_json(curator.client, "/v1/claims", [("as_of", "2023-04-15")])["data"])
    patched = curator.write(
        "PATCH", path, {"validity": {"valid_from": "2023", "valid_to": "2024"}}, if_match="current"
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["validity"]["valid_to_precision"] == "year"
    # valid_to "2024" may end on 2024-01-01: known to hold on that day, not after it.
    for as_of, held in (("2024-01-01", True), ("2024-01-02", False), ("2023-12-31", True), ("2023", False)):
        listed = get_json(curator.client, "/v1/claims", [("as_of", as_of), ("limit", "100")])
        assert (claim["id"] in ids(listed["data"])) is held, as_of
    cleared = curator.write("PATCH", path, {"validity": None}, if_match="current")
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["validity"]["valid_from"] is None
    stored = get_json(curator.client, path)
    assert stored["validity"] == cleared.json()["validity"]


@pytest.mark.parametrize(
    "validity",
    [{"valid_from": "2020", "valid_to": "2019"}, {"valid_from": "2019-02-30"}, {"valid_to": "soon"}],
)
def test_bad_validity_is_a_problem(refusing_curator: Curator, validity: Json) -> None:
    body = {
        "document": "wikipedia-careem",
        "statement": "A statement.",
        "kind": "fact",
        "themes": ["startups-entrepreneurship"],
        "validity": validity,
    }
    assert_problem(refusing_curator.write("POST", "/v1/claims", body), 422)


@pytest.mark.parametrize(
    "params",
    [
        [("as_of", "2019-06-01")],
        [("as_of", "2019"), ("include_undated", "true")],
        [("quantity_unit", "USD"), ("quantity_min", "1e9")],
        [("theme", "global-recognition"), ("as_of", "2020")],
    ],
)
def test_facets_count_the_claims_the_list_holds_under_date_and_figure_filters(
    client: TestClient, params: Params
) -> None:
    """The explorer's counts and its list agree: facets take the date and figure filters as lists do."""
    listed, total = walk(client, "/v1/claims", params, limit=100)
    facets = get_json(client, "/v1/claims/facets", params)
    assert facets["total"] == total
    for value in facets["facets"]["kind"]:
        if value["selected"] or not any(name == "kind" for name, _ in params):
            expected = sum(1 for claim in listed if claim["kind"] == value["value"])
            assert value["count"] == expected, value
