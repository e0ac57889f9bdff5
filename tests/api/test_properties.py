"""Properties of the claim list, checked on random combinations of the real filter values (hypothesis).

The expectations are computed from the unfiltered list itself: a filtered list is exactly the claims that
match, walking the cursor partitions it, and each facet count is the total of the matching list.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.support import Json, get_json, ids, walk

FILTERS = ("theme", "entity", "kind")
Selection = dict[str, frozenset[str]]
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None)


def _values(claim: Json, facet: str) -> set[str]:
    if facet == "kind":
        return {claim["kind"]}
    if facet == "document":
        return {claim["document_id"]}
    if facet == "relation":
        # The relation types it is in, as subject or object.
        return {link["type"] for link in claim["relations"]}
    key = "themes" if facet == "theme" else "entities"
    return {item["slug"] for item in claim[key]}


def _matches(claim: Json, selection: Selection, *, ignoring: str | None = None) -> bool:
    """Values of one filter are OR'ed, different filters AND'ed."""
    return all(
        _values(claim, facet) & values for facet, values in selection.items() if values and facet != ignoring
    )


def _params(selection: Selection) -> list[tuple[str, str | int]]:
    return [(facet, ",".join(sorted(values))) for facet, values in selection.items() if values]


def _selections(api_claims: list[Json]) -> st.SearchStrategy[Selection]:
    every = {
        facet: sorted(set().union(*(_values(claim, facet) for claim in api_claims))) for facet in FILTERS
    }
    return st.fixed_dictionaries(
        {facet: st.frozensets(st.sampled_from(values), max_size=3) for facet, values in every.items()}
    )


def _with_selections(test: Callable[[TestClient, list[Json], Selection], None]) -> Callable[..., None]:
    """Run `test` on random selections drawn from the values the seeded claims really carry."""

    def run(client: TestClient, api_claims: list[Json]) -> None:
        @EXAMPLES
        @given(selection=_selections(api_claims))
        def check(selection: Selection) -> None:
            test(client, api_claims, selection)

        check()

    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


def _every_result_satisfies_its_filters(
    client: TestClient, api_claims: list[Json], selection: Selection
) -> None:
    listed, total = walk(client, "/v1/claims", _params(selection), limit=100)
    assert all(_matches(claim, selection) for claim in listed)
    assert ids(listed) == [claim["id"] for claim in api_claims if _matches(claim, selection)]
    assert total == len(listed)


test_every_result_satisfies_its_filters = _with_selections(_every_result_satisfies_its_filters)


@EXAMPLES
@given(limit=st.integers(min_value=1, max_value=40))
def _cursor_walk(client: TestClient, api_claims: list[Json], limit: int) -> None:
    listed, total = walk(client, "/v1/claims", limit=limit)
    assert ids(listed) == ids(api_claims)
    assert len(set(ids(listed))) == len(listed) == total


def test_walking_the_cursor_partitions_the_list_exactly(client: TestClient, api_claims: list[Json]) -> None:
    """Any page size: every claim once, none twice, in the same order as one big page."""
    _cursor_walk(client, api_claims)


def _filtered_walk_partitions(client: TestClient, api_claims: list[Json], selection: Selection) -> None:
    params = _params(selection)
    whole, total = walk(client, "/v1/claims", params, limit=100)
    paged, paged_total = walk(client, "/v1/claims", params, limit=3)
    assert ids(paged) == ids(whole)
    assert paged_total == total == len(set(ids(paged)))


test_walking_a_filtered_list_partitions_it_exactly = _with_selections(_filtered_walk_partitions)


def _facet_counts_equal_list_totals(client: TestClient, api_claims: list[Json], selection: Selection) -> None:
    params = _params(selection)
    body = get_json(client, "/v1/claims/facets", params)
    assert body["total"] == get_json(client, "/v1/claims", [*params, ("limit", 1)])["meta"]["total"]
    assert body["total"] == sum(_matches(claim, selection) for claim in api_claims)
    for facet, items in body["facets"].items():
        for item in items:
            # Disjunctive: the value replaces the facet's own filter, every other filter applies.
            expected = sum(
                item["value"] in _values(claim, facet) and _matches(claim, selection, ignoring=facet)
                for claim in api_claims
            )
            assert item["count"] == expected, (facet, item)
            assert item["selected"] == (item["value"] in selection.get(facet, frozenset()))


test_facet_counts_equal_list_totals = _with_selections(_facet_counts_equal_list_totals)
