"""GET /v1/entities/{key}/related: co-occurring entities and the themes of an entity's claims."""

from __future__ import annotations

from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.support import Json, assert_problem, get_json, ids, walk
from tests.conftest import StatementLog

SEED = read_annotations(DEFAULT_ANNOTATIONS).annotations
ENTITIES = [entity.slug for entity in SEED.entities]


def _expected(client: TestClient, slug: str) -> tuple[list[Json], list[Json]]:
    """Related entities and themes, found by walking the entity's claims (in document order)."""
    claims, _ = walk(client, f"/v1/entities/{slug}/claims", limit=100)
    entities: dict[str, Json] = {}
    themes: dict[str, Json] = {}
    links: defaultdict[str, list[str]] = defaultdict(list)
    for claim in claims:
        for entity in claim["entities"]:
            if entity["slug"] != slug:
                entities[entity["slug"]] = entity
                links["entity:" + entity["slug"]].append(claim["id"])
        for theme in claim["themes"]:
            themes[theme["slug"]] = theme
            links["theme:" + theme["slug"]].append(claim["id"])

    def listed(kind: str, found: dict[str, Json]) -> list[Json]:
        items = [
            {**item, "count": len(links[f"{kind}:{key}"]), "claim_ids": links[f"{kind}:{key}"]}
            for key, item in found.items()
        ]
        return sorted(items, key=lambda item: (-item["count"], item["name"], item["slug"]))

    return listed("entity", entities), listed("theme", themes)


@pytest.mark.parametrize("slug", ENTITIES)
def test_related_lists_what_walking_the_entitys_claims_finds(client: TestClient, slug: str) -> None:
    body = get_json(client, f"/v1/entities/{slug}/related")
    entity = get_json(client, f"/v1/entities/{slug}")
    assert body["entity"] == {"slug": slug, "name": entity["name"], "type": entity["type"]}
    entities, themes = _expected(client, slug)
    assert body["entities"] == entities
    assert body["themes"] == themes


def test_related_claim_ids_are_in_document_order(client: TestClient) -> None:
    order = {
        claim_id: position for position, claim_id in enumerate(ids(walk(client, "/v1/claims", limit=100)[0]))
    }
    for slug in ENTITIES:
        body = get_json(client, f"/v1/entities/{slug}/related")
        for item in (*body["entities"], *body["themes"]):
            assert item["claim_ids"] == sorted(item["claim_ids"], key=order.__getitem__), (slug, item)
            assert item["count"] == len(set(item["claim_ids"])) > 0


def test_related_is_symmetric_between_two_entities(client: TestClient) -> None:
    for slug in ENTITIES:
        for other in get_json(client, f"/v1/entities/{slug}/related")["entities"]:
            back = get_json(client, f"/v1/entities/{other['slug']}/related")["entities"]
            mirror = next(item for item in back if item["slug"] == slug)
            assert mirror["claim_ids"] == other["claim_ids"]


def test_an_entity_that_shares_claims_with_others_has_relations(client: TestClient) -> None:
    # Guards the tests above against a trivial seed: Careem is named with Daraz.
    body = get_json(client, "/v1/entities/careem/related")
    assert "daraz" in [item["slug"] for item in body["entities"]]
    assert body["themes"]


@pytest.mark.parametrize("key", ["Careem", "CAREEM", "careem networks", "Careem%20Networks%20FZ-LLC"])
def test_related_finds_the_entity_by_name_or_alias_in_any_case(client: TestClient, key: str) -> None:
    assert get_json(client, f"/v1/entities/{key}/related") == get_json(client, "/v1/entities/careem/related")


@pytest.mark.parametrize("key", ["no-such-entity", "careem%20networks%20ltd", "x" * 200])
def test_related_of_an_unknown_entity_answers_404(client: TestClient, key: str) -> None:
    assert_problem(client.get(f"/v1/entities/{key}/related"), 404, "not-found")


def test_related_of_an_overlong_key_answers_422(client: TestClient) -> None:
    assert_problem(client.get(f"/v1/entities/{'x' * 201}/related"), 422, "invalid-request")


def _statements(client: TestClient, log: StatementLog, slug: str) -> int:
    log.statements.clear()
    get_json(client, f"/v1/entities/{slug}/related")
    return len(log.statements)


def test_related_runs_the_same_few_statements_however_many_claims_the_entity_has(
    client: TestClient, statement_log: StatementLog
) -> None:
    counts = {slug: _statements(client, statement_log, slug) for slug in ENTITIES}
    assert len(set(counts.values())) == 1, counts
    assert 0 < counts["pakistan"] <= 4, statement_log.statements
