"""GET /v1/claims filters: theme, entity, document and kind; values of one filter OR'ed, filters AND'ed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import Json, Params, assert_problem, entity_slug_by_key, expected_ids, fold, ids, walk

SEED = read_annotations(DEFAULT_ANNOTATIONS).annotations
THEMES = [theme.slug for theme in SEED.themes]
ENTITY_KEYS = [
    (entity.slug, key) for entity in SEED.entities for key in (entity.slug, entity.name, *entity.aliases)
]
KINDS = ["fact", "opinion", "prediction", "recommendation"]


def _themes(claim: Json) -> set[str]:
    return {theme["slug"] for theme in claim["themes"]}


def _entities(claim: Json) -> set[str]:
    return {entity["slug"] for entity in claim["entities"]}


def _walk_ids(client: TestClient, params: Params, limit: int = 100) -> list[str]:
    claims, total = walk(client, "/v1/claims", params, limit=limit)
    assert total == len(claims)
    return ids(claims)


def test_claims_unfiltered_list_is_every_seed_claim(api_claims: list[Json], seed_data: SeedData) -> None:
    assert ids(api_claims) == expected_ids(seed_data)
    assert len(api_claims) == len(seed_data.annotations.claims)


def test_claims_filter_values_of_the_seed_are_not_trivial(seed_data: SeedData) -> None:
    # Guards the filter tests below: each combination they use must select some, but not all, claims.
    everything = len(seed_data.annotations.claims)
    for selected in (
        expected_ids(seed_data, themes=["talent-workforce"], entities=["pakistani-diaspora"]),
        expected_ids(seed_data, themes=["sector-growth"], kinds=["opinion"]),
        expected_ids(seed_data, entities=["careem"], documents=[DOCUMENT_ID]),
        expected_ids(seed_data, themes=["talent-workforce", "government-policy"], entities=["pakistan"]),
    ):
        assert 0 < len(selected) < everything


@pytest.mark.parametrize("theme", THEMES)
def test_claims_filter_by_theme_returns_exactly_the_claims_with_that_theme(
    client: TestClient, seed_data: SeedData, theme: str
) -> None:
    claims, total = walk(client, "/v1/claims", [("theme", theme)], limit=100)
    assert ids(claims) == expected_ids(seed_data, themes=[theme])
    assert total == len(claims) > 0
    assert all(theme in _themes(claim) for claim in claims)


@pytest.mark.parametrize(("slug", "key"), ENTITY_KEYS, ids=[f"{slug}:{key}" for slug, key in ENTITY_KEYS])
def test_claims_filter_by_entity_accepts_slug_name_or_alias(
    client: TestClient, seed_data: SeedData, slug: str, key: str
) -> None:
    claims, total = walk(client, "/v1/claims", [("entity", key)], limit=100)
    assert ids(claims) == expected_ids(seed_data, entities=[slug])
    assert total == len(claims) > 0
    assert all(slug in _entities(claim) for claim in claims)


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("Daraz.pk", "daraz"),
        ("DARAZ.PK", "daraz"),
        ("daraz.PK", "daraz"),
        ("CAREEM", "careem"),
        ("careem networks fz-llc", "careem"),
        ("CAREEM NETWORKS", "careem"),
        ("islamic republic of pakistan", "pakistan"),
        ("vc FUNDS", "venture-capital-funds"),
        ("Government Of Pakistan", "government-of-pakistan"),
    ],
)
def test_claims_filter_by_entity_is_case_insensitive(
    client: TestClient, seed_data: SeedData, key: str, slug: str
) -> None:
    claims, _ = walk(client, "/v1/claims", [("entity", key)], limit=100)
    assert ids(claims) == expected_ids(seed_data, entities=[slug])
    assert all(slug in _entities(claim) for claim in claims)


@pytest.mark.parametrize("kind", KINDS)
def test_claims_filter_by_kind_returns_exactly_the_claims_of_that_kind(
    client: TestClient, seed_data: SeedData, kind: str
) -> None:
    claims, total = walk(client, "/v1/claims", [("kind", kind)], limit=100)
    assert ids(claims) == expected_ids(seed_data, kinds=[kind])
    assert total == len(claims) > 0
    assert {claim["kind"] for claim in claims} == {kind}


def test_claims_filter_by_document_returns_the_documents_claims(
    client: TestClient, seed_data: SeedData
) -> None:
    claims, _ = walk(client, "/v1/claims", [("document", DOCUMENT_ID)], limit=100)
    assert ids(claims) == expected_ids(seed_data, documents=[DOCUMENT_ID])
    assert {claim["document_id"] for claim in claims} == {DOCUMENT_ID}


@pytest.mark.parametrize(
    "params",
    [
        [("theme", "talent-workforce"), ("theme", "government-policy")],
        [("theme", "talent-workforce,government-policy")],
        [("theme", "government-policy,talent-workforce")],
    ],
    ids=["repeated", "comma", "comma-reversed"],
)
def test_claims_filter_two_themes_are_ored(client: TestClient, seed_data: SeedData, params: Params) -> None:
    got = _walk_ids(client, params)
    talent = set(expected_ids(seed_data, themes=["talent-workforce"]))
    government = set(expected_ids(seed_data, themes=["government-policy"]))
    assert set(got) == talent | government
    assert got == expected_ids(seed_data, themes=["talent-workforce", "government-policy"])
    assert len(got) > max(len(talent), len(government))


def test_claims_filter_mixes_repeated_and_comma_separated_values(
    client: TestClient, seed_data: SeedData
) -> None:
    got = _walk_ids(client, [("theme", "outlook,challenges"), ("theme", "freelancing-exports")])
    assert got == expected_ids(seed_data, themes=["outlook", "challenges", "freelancing-exports"])


@pytest.mark.parametrize(
    "params",
    [
        [("entity", "careem"), ("entity", "daraz")],
        [("entity", "Careem,Daraz.pk")],
        [("entity", "CAREEM NETWORKS"), ("entity", "daraz")],
    ],
    ids=["repeated", "comma-aliases", "alias-and-slug"],
)
def test_claims_filter_two_entities_are_ored(client: TestClient, seed_data: SeedData, params: Params) -> None:
    got = _walk_ids(client, params)
    assert got == expected_ids(seed_data, entities=["careem", "daraz"])
    assert set(got) == set(expected_ids(seed_data, entities=["careem"])) | set(
        expected_ids(seed_data, entities=["daraz"])
    )


def test_claims_filter_two_kinds_are_ored(client: TestClient, seed_data: SeedData) -> None:
    got = _walk_ids(client, [("kind", "prediction,recommendation")])
    assert got == expected_ids(seed_data, kinds=["prediction", "recommendation"])
    assert got == _walk_ids(client, [("kind", "prediction"), ("kind", "recommendation")])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("theme", "sector-growth"), ("theme", "sector-growth")], {"themes": ["sector-growth"]}),
        ([("theme", "sector-growth,sector-growth")], {"themes": ["sector-growth"]}),
        ([("theme", "sector-growth,SECTOR-GROWTH")], {"themes": ["sector-growth"]}),
        (
            [("entity", "careem"), ("entity", "Careem Networks"), ("entity", "CAREEM")],
            {"entities": ["careem"]},
        ),
    ],
    ids=["theme-repeated", "theme-comma", "theme-two-cases", "entity-three-names"],
)
def test_claims_filter_repeating_one_value_lists_each_claim_once(
    client: TestClient, seed_data: SeedData, params: Params, expected: dict[str, list[str]]
) -> None:
    got = _walk_ids(client, params, limit=7)
    assert len(got) == len(set(got))
    assert got == expected_ids(seed_data, **expected)


COMBINATIONS: list[tuple[str, dict[str, list[str]]]] = [
    ("theme+entity", {"theme": ["talent-workforce"], "entity": ["pakistani-diaspora"]}),
    ("theme+entity-alias", {"theme": ["startups-entrepreneurship"], "entity": ["Daraz.pk"]}),
    ("theme+kind", {"theme": ["sector-growth"], "kind": ["opinion"]}),
    ("entity+document", {"entity": ["careem"], "document": [DOCUMENT_ID]}),
    ("entity+kind", {"entity": ["pakistan"], "kind": ["prediction"]}),
    (
        "two-themes+entity",
        {"theme": ["talent-workforce", "government-policy"], "entity": ["pakistan"]},
    ),
    (
        "two-themes+two-entities",
        {"theme": ["economic-impact", "challenges"], "entity": ["government-of-pakistan", "freelancers"]},
    ),
    ("two-entities+kind", {"entity": ["careem", "daraz"], "kind": ["fact"]}),
    (
        "all-four",
        {
            "theme": ["startups-entrepreneurship", "investment-funding"],
            "entity": ["CAREEM", "daraz"],
            "document": [DOCUMENT_ID],
            "kind": ["fact"],
        },
    ),
    ("disjoint", {"theme": ["outlook"], "kind": ["recommendation"]}),
]


@pytest.mark.parametrize("filters", [f for _, f in COMBINATIONS], ids=[name for name, _ in COMBINATIONS])
@pytest.mark.parametrize("style", ["comma", "repeated"])
def test_claims_filter_combinations_intersect_different_filters(
    client: TestClient, seed_data: SeedData, filters: dict[str, list[str]], style: str
) -> None:
    params: list[tuple[str, str | int]] = []
    for name, values in filters.items():
        if style == "comma":
            params.append((name, ",".join(values)))
        else:
            params.extend((name, value) for value in values)
    claims, total = walk(client, "/v1/claims", params, limit=7)
    expected = expected_ids(
        seed_data,
        themes=filters.get("theme", []),
        entities=filters.get("entity", []),
        documents=filters.get("document", []),
        kinds=filters.get("kind", []),
    )
    assert ids(claims) == expected
    assert total == len(expected)
    by_key = entity_slug_by_key(seed_data)
    for claim in claims:
        if "theme" in filters:
            assert _themes(claim) & set(filters["theme"])
        if "entity" in filters:
            assert _entities(claim) & {by_key[fold(key)] for key in filters["entity"]}
        if "document" in filters:
            assert claim["document_id"] in filters["document"]
        if "kind" in filters:
            assert claim["kind"] in filters["kind"]


def test_claims_filter_by_theme_and_entity_intersects(client: TestClient, seed_data: SeedData) -> None:
    talent = set(_walk_ids(client, [("theme", "talent-workforce")]))
    diaspora = set(_walk_ids(client, [("entity", "pakistani-diaspora")]))
    both = _walk_ids(client, [("theme", "talent-workforce"), ("entity", "pakistani-diaspora")])
    assert set(both) == talent & diaspora
    assert both == expected_ids(seed_data, themes=["talent-workforce"], entities=["pakistani-diaspora"])


def test_claims_filter_with_no_match_answers_an_empty_page(client: TestClient, seed_data: SeedData) -> None:
    assert expected_ids(seed_data, themes=["freelancing-exports"], entities=["careem"]) == []
    body = client.get("/v1/claims", params={"theme": "freelancing-exports", "entity": "careem"}).json()
    assert body == {"data": [], "meta": {"total": 0, "limit": 20, "next_cursor": None}}


@pytest.mark.parametrize(
    ("params", "parameter", "unknown"),
    [
        ([("theme", "no-such-theme")], "theme", "no-such-theme"),
        ([("theme", "talent-workforce,no-such-theme")], "theme", "no-such-theme"),
        ([("theme", "talent-workforce"), ("theme", "no-such-theme")], "theme", "no-such-theme"),
        ([("entity", "Uber")], "entity", "Uber"),
        ([("entity", "careem,Uber")], "entity", "Uber"),
        ([("document", "no-such-document")], "document", "no-such-document"),
        ([("document", f"{DOCUMENT_ID},other-article")], "document", "other-article"),
        ([("kind", "rumour")], "kind", "rumour"),
        ([("kind", "fact,rumour")], "kind", "rumour"),
        ([("theme", "outlook"), ("kind", "rumour")], "kind", "rumour"),
        ([("entity", "careem"), ("theme", "no-such-theme")], "theme", "no-such-theme"),
    ],
)
def test_claims_filter_unknown_value_answers_422_naming_it(
    client: TestClient, params: Sequence[tuple[str, str]], parameter: str, unknown: str
) -> None:
    response = client.get("/v1/claims", params=list(params))
    body = assert_problem(response, 422, "unknown-filter-value")
    assert unknown in body["detail"]
    assert parameter in body["detail"]
    assert "data" not in body


def test_claims_filter_unknown_values_are_all_named(client: TestClient) -> None:
    response = client.get("/v1/claims", params={"theme": "first-unknown,talent-workforce,second-unknown"})
    body = assert_problem(response, 422, "unknown-filter-value")
    assert "first-unknown" in body["detail"]
    assert "second-unknown" in body["detail"]
    assert "talent-workforce" not in body["detail"]
