"""GET /v1/themes, /v1/themes/{slug} and /v1/themes/{slug}/claims."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.support import Json, Params, assert_problem, expected_ids, get_json, ids, walk

THEMES = [theme.slug for theme in read_annotations(DEFAULT_ANNOTATIONS).annotations.themes]
THEME_KEYS = {"slug", "name", "description", "claim_count"}


@pytest.fixture(scope="module")
def api_themes(client: TestClient) -> list[Json]:
    themes, _ = walk(client, "/v1/themes", limit=100)
    return themes


def test_themes_list_every_seed_theme_with_its_name_and_description(
    api_themes: list[Json], seed_data: SeedData
) -> None:
    assert [{"slug": t["slug"], "name": t["name"], "description": t["description"]} for t in api_themes] == [
        {"slug": t.slug, "name": t.name, "description": t.description} for t in seed_data.annotations.themes
    ]
    for theme in api_themes:
        assert set(theme) == THEME_KEYS


def test_themes_claim_count_is_the_number_of_claims_listing_the_theme(
    api_themes: list[Json], api_claims: list[Json], seed_data: SeedData
) -> None:
    for theme in api_themes:
        listing = [c for c in api_claims if theme["slug"] in {t["slug"] for t in c["themes"]}]
        in_seed = [c for c in seed_data.annotations.claims if theme["slug"] in c.themes]
        assert theme["claim_count"] == len(listing) == len(in_seed), theme["slug"]
        assert theme["claim_count"] > 0


@pytest.mark.parametrize("slug", THEMES)
def test_get_theme_answers_the_listed_theme(client: TestClient, api_themes: list[Json], slug: str) -> None:
    theme = get_json(client, f"/v1/themes/{slug}")
    assert theme == next(t for t in api_themes if t["slug"] == slug)


@pytest.mark.parametrize("slug", ["no-such-theme", "talent", "talent-workforce-x", "Talent Workforce"])
def test_get_theme_unknown_slug_answers_404_problem(client: TestClient, slug: str) -> None:
    body = assert_problem(client.get(f"/v1/themes/{slug}"), 404, "not-found")
    assert slug in body["detail"]


@pytest.mark.parametrize("slug", THEMES)
def test_theme_claims_are_the_claims_with_that_theme(
    client: TestClient, seed_data: SeedData, slug: str
) -> None:
    claims, total = walk(client, f"/v1/themes/{slug}/claims", limit=100)
    assert ids(claims) == expected_ids(seed_data, themes=[slug])
    assert total == len(claims) == get_json(client, f"/v1/themes/{slug}")["claim_count"]
    assert all(slug in {t["slug"] for t in claim["themes"]} for claim in claims)


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ([("entity", "pakistani-diaspora")], {"entities": ["pakistani-diaspora"]}),
        ([("kind", "opinion")], {"kinds": ["opinion"]}),
        ([("theme", "sector-growth")], {"themes": ["sector-growth"]}),
        ([("theme", "sector-growth,government-policy")], {"themes": ["sector-growth", "government-policy"]}),
        ([("entity", "Pakistan"), ("kind", "fact")], {"entities": ["pakistan"], "kinds": ["fact"]}),
    ],
    ids=["entity", "kind", "other-theme", "two-other-themes", "entity+kind"],
)
def test_theme_claims_filters_are_anded_with_the_path_theme(
    client: TestClient, seed_data: SeedData, params: Params, filters: dict[str, list[str]]
) -> None:
    claims, total = walk(client, "/v1/themes/talent-workforce/claims", params, limit=3)
    in_theme = set(expected_ids(seed_data, themes=["talent-workforce"]))
    filtered = expected_ids(seed_data, **filters)
    assert ids(claims) == [claim_id for claim_id in filtered if claim_id in in_theme]
    assert total == len(claims)
    assert all("talent-workforce" in {t["slug"] for t in claim["themes"]} for claim in claims)


def test_theme_claims_with_a_disjoint_filter_answer_an_empty_page(client: TestClient) -> None:
    body = get_json(client, "/v1/themes/freelancing-exports/claims", [("entity", "careem")])
    assert body["data"] == []
    assert body["meta"]["total"] == 0


def test_theme_claims_unknown_slug_answers_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/themes/no-such-theme/claims"), 404, "not-found")
    assert "no-such-theme" in body["detail"]


def test_theme_claims_unknown_filter_value_answers_422(client: TestClient) -> None:
    body = assert_problem(
        client.get("/v1/themes/outlook/claims", params={"kind": "gossip"}), 422, "unknown-filter-value"
    )
    assert "gossip" in body["detail"]
