"""GET /v1/entities (type and q filters), /v1/entities/{key} and /v1/entities/{key}/claims."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS, load_seed
from tests.api.support import Json, Params, assert_problem, expected_ids, fold, get_json, ids, walk
from tests.services.seedfiles import Raw, write_seed
from tests.services.seedfiles import entity as raw_entity

SEED = read_annotations(DEFAULT_ANNOTATIONS).annotations
ENTITY_KEYS = [
    (entity.slug, key) for entity in SEED.entities for key in (entity.slug, entity.name, *entity.aliases)
]
ENTITY_FIELDS = {"slug", "name", "type", "description", "aliases", "external_ids", "claim_count"}


@pytest.fixture(scope="module")
def api_entities(client: TestClient) -> list[Json]:
    entities, _ = walk(client, "/v1/entities", limit=100)
    return entities


def _prefix_matches(seed: SeedData, q: str) -> set[str]:
    """Slugs of the entities whose slug, name or an alias starts with `q`, case-insensitively."""
    prefix = fold(q)
    return {
        entity.slug
        for entity in seed.annotations.entities
        if any(fold(name).startswith(prefix) for name in (entity.slug, entity.name, *entity.aliases))
    }


def _slugs(client: TestClient, params: Params) -> list[str]:
    entities, total = walk(client, "/v1/entities", params, limit=100)
    assert total == len(entities)
    return [entity["slug"] for entity in entities]


def test_entities_list_every_seed_entity_with_its_fields(
    api_entities: list[Json], seed_data: SeedData
) -> None:
    seeded = {entity.slug: entity for entity in seed_data.annotations.entities}
    assert sorted(entity["slug"] for entity in api_entities) == sorted(seeded)
    for entity in api_entities:
        assert set(entity) == ENTITY_FIELDS
        source = seeded[entity["slug"]]
        assert entity["name"] == source.name
        assert entity["type"] == source.type
        assert entity["description"] == source.description
        assert entity["aliases"] == list(source.aliases)
        assert entity["external_ids"] == dict(source.external_ids)


def test_entities_claim_count_is_the_number_of_claims_naming_the_entity(
    api_entities: list[Json], api_claims: list[Json], seed_data: SeedData
) -> None:
    for entity in api_entities:
        naming = [c for c in api_claims if entity["slug"] in {e["slug"] for e in c["entities"]}]
        in_seed = [c for c in seed_data.annotations.claims if entity["slug"] in c.entities]
        assert entity["claim_count"] == len(naming) == len(in_seed), entity["slug"]


def test_entities_of_the_article_have_their_types(api_entities: list[Json]) -> None:
    types = {entity["slug"]: entity["type"] for entity in api_entities}
    assert types["careem"] == "company"
    assert types["daraz"] == "company"
    assert types["pakistan"] == "country"


@pytest.mark.parametrize(
    ("params", "types"),
    [
        ([("type", "company")], {"company"}),
        ([("type", "COMPANY")], {"company"}),
        ([("type", "group")], {"group"}),
        ([("type", "company,country")], {"company", "country"}),
        ([("type", "company"), ("type", "country")], {"company", "country"}),
        ([("type", "industry,facility"), ("type", "government")], {"industry", "facility", "government"}),
    ],
    ids=["company", "upper-case", "group", "comma", "repeated", "mixed"],
)
def test_entities_filter_by_type_returns_exactly_those_types(
    client: TestClient, seed_data: SeedData, params: Params, types: set[str]
) -> None:
    entities, total = walk(client, "/v1/entities", params, limit=100)
    assert {entity["type"] for entity in entities} == types
    expected = {entity.slug for entity in seed_data.annotations.entities if entity.type in types}
    assert {entity["slug"] for entity in entities} == expected
    assert total == len(expected)


def test_entities_filter_by_company_finds_careem_and_daraz(client: TestClient) -> None:
    assert sorted(_slugs(client, [("type", "company")])) == ["careem", "daraz"]


@pytest.mark.parametrize("value", ["robot", "company,robot", "Companies"])
def test_entities_unknown_type_answers_422_naming_it(client: TestClient, value: str) -> None:
    body = assert_problem(client.get("/v1/entities", params={"type": value}), 422, "unknown-filter-value")
    unknown = value.split(",")[-1]
    assert unknown.lower() in body["detail"].lower()


@pytest.mark.parametrize(
    ("q", "must_find"),
    [
        ("car", "careem"),
        ("CAR", "careem"),
        ("careem net", "careem"),
        ("Careem Networks FZ", "careem"),
        ("daraz.p", "daraz"),
        ("DARAZ.PK", "daraz"),
        ("islamic", "pakistan"),
        ("vc", "venture-capital-funds"),
        ("overseas", "pakistani-diaspora"),
        ("pakistani-it", "pakistani-it-firms"),
        ("education", "edtech"),
        ("ride h", "ride-hailing"),
        ("pakistan", "pakistan"),
    ],
)
def test_entities_q_matches_name_slug_or_alias_prefixes(
    client: TestClient, seed_data: SeedData, q: str, must_find: str
) -> None:
    found = _slugs(client, [("q", q)])
    assert must_find in found
    assert set(found) == _prefix_matches(seed_data, q)
    assert len(found) == len(set(found))


@pytest.mark.parametrize("q", ["reem", "zzz", "%", "_", "%a", "careem%", "c_reem", "\\"])
def test_entities_q_matches_no_infix_nor_wildcards(client: TestClient, q: str) -> None:
    body = get_json(client, "/v1/entities", [("q", q)])
    assert body["data"] == []
    assert body["meta"]["total"] == 0


def test_entities_q_and_type_are_anded(client: TestClient, seed_data: SeedData) -> None:
    found = set(_slugs(client, [("q", "pakistan"), ("type", "group")]))
    types = {entity.slug: entity.type for entity in seed_data.annotations.entities}
    expected = {slug for slug in _prefix_matches(seed_data, "pakistan") if types[slug] == "group"}
    assert found == expected
    assert found
    assert "pakistan" not in found


@pytest.mark.parametrize(("slug", "key"), ENTITY_KEYS, ids=[f"{slug}:{key}" for slug, key in ENTITY_KEYS])
def test_get_entity_by_slug_name_or_alias(
    client: TestClient, api_entities: list[Json], slug: str, key: str
) -> None:
    listed = next(entity for entity in api_entities if entity["slug"] == slug)
    for variant in (key, key.upper(), key.lower(), key.swapcase()):
        assert get_json(client, f"/v1/entities/{quote(variant, safe='')}") == listed


@pytest.mark.parametrize(
    ("key", "slug"), [("Daraz.pk", "daraz"), ("CAREEM", "careem"), ("careem networks", "careem")]
)
def test_get_entity_is_case_insensitive(client: TestClient, key: str, slug: str) -> None:
    assert get_json(client, f"/v1/entities/{quote(key)}")["slug"] == slug


@pytest.mark.parametrize("key", ["uber", "careem-networks-x", "Daraz.com", "Pakistan IT"])
def test_get_entity_unknown_key_answers_404_problem(client: TestClient, key: str) -> None:
    body = assert_problem(client.get(f"/v1/entities/{quote(key)}"), 404, "not-found")
    assert key in body["detail"]


@pytest.mark.parametrize("key", ["daraz", "Daraz.pk", "DARAZ", "daraz.PK"])
def test_entity_claims_are_the_claims_naming_the_entity(
    client: TestClient, seed_data: SeedData, key: str
) -> None:
    claims, total = walk(client, f"/v1/entities/{quote(key)}/claims", limit=2)
    assert ids(claims) == expected_ids(seed_data, entities=["daraz"])
    assert total == len(claims)
    assert all("daraz" in {e["slug"] for e in claim["entities"]} for claim in claims)


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ([("entity", "careem")], {"entities": ["careem"]}),
        ([("theme", "investment-funding")], {"themes": ["investment-funding"]}),
        ([("kind", "fact")], {"kinds": ["fact"]}),
        (
            [("theme", "startups-entrepreneurship,investment-funding"), ("kind", "fact")],
            {
                "themes": ["startups-entrepreneurship", "investment-funding"],
                "kinds": ["fact"],
            },
        ),
    ],
    ids=["other-entity", "theme", "kind", "themes+kind"],
)
def test_entity_claims_filters_are_anded_with_the_path_entity(
    client: TestClient, seed_data: SeedData, params: Params, filters: dict[str, list[str]]
) -> None:
    claims, total = walk(client, "/v1/entities/Daraz.pk/claims", params, limit=100)
    of_daraz = set(expected_ids(seed_data, entities=["daraz"]))
    assert ids(claims) == [
        claim_id for claim_id in expected_ids(seed_data, **filters) if claim_id in of_daraz
    ]
    assert total == len(claims)


def test_entity_claims_unknown_key_answers_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/entities/uber/claims"), 404, "not-found")
    assert "uber" in body["detail"]


def test_entity_claims_unknown_filter_value_answers_422(client: TestClient) -> None:
    body = assert_problem(
        client.get("/v1/entities/careem/claims", params={"theme": "mobility"}), 422, "unknown-filter-value"
    )
    assert "mobility" in body["detail"]


# Aliases with an apostrophe: the seed's own it-sector ones are curly; these tests load a copy of the seed
# that adds a curly one and a straight one to other entities.
CURLY_ALIAS = "Pakistan\u2019s IT companies"
STRAIGHT_ALIAS = "Pakistan's IT companies"
SEED_CURLY_ALIAS = "Pakistan\u2019s IT industry"


def _add_apostrophe_aliases(raw: Raw, _folder: Path) -> None:
    assert SEED_CURLY_ALIAS in raw_entity(raw, "it-sector")["aliases"]
    raw_entity(raw, "pakistani-it-firms")["aliases"].append(CURLY_ALIAS)
    raw_entity(raw, "freelancers")["aliases"].append("Freelancers' network")


@pytest.fixture
def apostrophe_client(tmp_path: Path, fresh_url: str, migrated_database: Database) -> Iterator[TestClient]:
    load_seed(migrated_database, write_seed(tmp_path / "seed", _add_apostrophe_aliases))
    with TestClient(create_app(Settings(database_url=fresh_url))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        (CURLY_ALIAS, "pakistani-it-firms"),
        (STRAIGHT_ALIAS, "pakistani-it-firms"),
        (STRAIGHT_ALIAS.upper(), "pakistani-it-firms"),
        ("Freelancers' network", "freelancers"),
        ("Freelancers\u2019 network", "freelancers"),
        (SEED_CURLY_ALIAS, "it-sector"),
        (SEED_CURLY_ALIAS.replace("\u2019", "'"), "it-sector"),
    ],
)
def test_entity_alias_with_an_apostrophe_matches_curly_or_straight(
    apostrophe_client: TestClient, key: str, slug: str
) -> None:
    assert get_json(apostrophe_client, f"/v1/entities/{quote(key, safe='')}")["slug"] == slug
    claims, _ = walk(apostrophe_client, "/v1/claims", [("entity", key)], limit=100)
    assert claims
    assert all(slug in {e["slug"] for e in claim["entities"]} for claim in claims)
    found = get_json(apostrophe_client, "/v1/entities", [("q", key[:10])])
    assert slug in {entity["slug"] for entity in found["data"]}
