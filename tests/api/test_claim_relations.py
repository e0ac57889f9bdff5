"""/v1/relations: claim relations listed, created, edited and deleted like every revisioned resource
(If-Match, 412/428, 410 after deletion, 405 with Allow), each write one change in the log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData
from tests.api.support import assert_problem, get_json, walk
from tests.curation import Curator, Json

# A relation of the seed (seed/annotations.yaml): pkit-038 states a clause of pkit-037's sentence.
SEEDED = ("pkit-038", "part-of", "pkit-037")
# One the seed does not state (each test that writes it checks so).
NEW: Json = {
    "subject_id": "pkit-039",
    "type": "qualifies",
    "object_id": "pkit-037",
    "note": "Test: pkit-039 narrows what pkit-037 says of Daraz.",
}

Triple = tuple[str, str, str]


def _triple(relation: Json) -> Triple:
    return relation["subject_id"], relation["type"], relation["object_id"]


def _seeded(seed_data: SeedData) -> list[Triple]:
    """The seed file's relations, in file order: the order they are loaded in, so oldest first."""
    return [(r.subject, r.type, r.object) for r in seed_data.annotations.relations]


def _new_is_not_seeded(seed_data: SeedData) -> None:
    assert _triple(NEW) not in _seeded(seed_data)


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("claim", "pkit-037")],
        [("claim", "pkit-038,pkit-001")],
        [("claim", "pkit-001")],
        [("type", "part-of")],
        [("type", "supports,contradicts")],
    ],
)
def test_the_seeded_relations_are_listed_and_read(
    client: TestClient, seed_data: SeedData, params: list[tuple[str, str]]
) -> None:
    claims = {value for name, value in params if name == "claim" for value in value.split(",")}
    types = {value for name, value in params if name == "type" for value in value.split(",")}
    expected = [
        (subject, kind, object_)
        for subject, kind, object_ in _seeded(seed_data)
        if (not claims or {subject, object_} & claims) and (not types or kind in types)
    ]
    listed, total = walk(client, "/v1/relations", params)
    assert total == len(expected)
    assert [_triple(relation) for relation in listed] == expected
    relation_ids = [relation["id"] for relation in listed]
    assert relation_ids == sorted(relation_ids)
    notes: dict[Triple, str] = {
        (r.subject, r.type, r.object): r.note for r in seed_data.annotations.relations
    }
    assert [relation["note"] for relation in listed] == [notes[triple] for triple in expected]
    for relation in listed:
        assert get_json(client, f"/v1/relations/{relation['id']}") == relation


def test_the_part_of_relation_is_read_by_its_id(client: TestClient) -> None:
    listed, _ = walk(client, "/v1/relations", [("claim", "pkit-038"), ("type", "part-of")])
    (relation,) = [relation for relation in listed if _triple(relation) == SEEDED]
    assert relation["note"]
    assert get_json(client, f"/v1/relations/{relation['id']}") == relation


@pytest.mark.parametrize(
    ("params", "parameter"),
    [([("claim", "pkit-999")], "claim"), ([("type", "refutes")], "type"), ([("limit", "0")], "limit")],
)
def test_bad_relation_filters_answer_422(
    client: TestClient, params: list[tuple[str, str]], parameter: str
) -> None:
    problem = assert_problem(client.get("/v1/relations", params=list(params)), 422)
    assert parameter in str(problem)


@pytest.mark.parametrize(("method", "path"), [("PUT", "/v1/relations/1"), ("POST", "/v1/relations/1")])
def test_wrong_method_answers_405_with_allow(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert_problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PATCH", "DELETE"}


def test_a_relation_is_created_edited_and_deleted_with_its_history(
    curator: Curator, seed_data: SeedData
) -> None:
    _new_is_not_seeded(seed_data)
    assert_problem(curator.write("POST", "/v1/relations", NEW, key="read"), 403)
    created = curator.write("POST", "/v1/relations", NEW)
    assert created.status_code == 201, created.text
    relation = created.json()
    path = f"/v1/relations/{relation['id']}"
    assert created.headers["location"] == path
    assert relation == {"id": relation["id"], **NEW}
    assert curator.client.get(path).headers["etag"] == created.headers["etag"]

    assert_problem(curator.write("PATCH", path, {"note": "Reworded."}), 428, "precondition-required")
    stale = created.headers["etag"].replace("-r1-", "-r0-")
    assert_problem(curator.write("PATCH", path, {"note": "Reworded."}, if_match=stale), 412)
    edited = curator.write("PATCH", path, {"note": "Reworded."}, if_match=created.headers["etag"])
    assert edited.status_code == 200, edited.text
    assert edited.json()["note"] == "Reworded."
    assert "-r2-" in edited.headers["etag"]

    assert_problem(curator.write("DELETE", path, if_match=created.headers["etag"]), 412)
    assert curator.write("DELETE", path, if_match=edited.headers["etag"]).status_code == 204
    gone = assert_problem(curator.client.get(path), 410, "gone")
    # A relation's changes are listed in its subject claim's history.
    assert gone["history"] == "/v1/claims/pkit-039/history"
    history, _ = walk(curator.client, gone["history"])
    logged = [(change["type"], change["action"]) for change in history]
    assert logged == [("relation", "create"), ("relation", "update"), ("relation", "delete")]
    assert history[0]["after"] == relation
    assert history[2]["before"] == edited.json()
    changes, total = walk(curator.client, "/v1/changes")
    assert total == 3
    assert [change["resource_id"] for change in changes] == [str(relation["id"])] * 3


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (NEW | {"subject_id": "pkit-999"}, 422, "unknown claim 'pkit-999'"),
        (NEW | {"object_id": "pkit-039"}, 422, "cannot relate to itself"),
        (NEW | {"type": "refutes"}, 422, "type"),
        (NEW | dict(zip(("subject_id", "type", "object_id"), SEEDED, strict=True)), 409, "exists already"),
        (NEW | {"note": ""}, 422, "note"),
        (NEW | {"extra": 1}, 422, "extra"),
    ],
)
def test_a_bad_relation_is_refused_and_changes_nothing(
    curator: Curator, seed_data: SeedData, body: Json, status: int, needle: str
) -> None:
    _new_is_not_seeded(seed_data)
    before = walk(curator.client, "/v1/relations", limit=100)
    problem = assert_problem(curator.write("POST", "/v1/relations", body), status)
    assert needle in str(problem)
    assert curator.change_count() == 0
    assert walk(curator.client, "/v1/relations", limit=100) == before
    assert [_triple(relation) for relation in before[0]] == _seeded(seed_data)


def test_same_as_is_stored_once_whichever_way_round(curator: Curator, seed_data: SeedData) -> None:
    same = {"subject_id": "pkit-003", "type": "same-as", "object_id": "pkit-006", "note": "Test: a repeat."}
    pair = {same["subject_id"], same["object_id"]}
    assert not [r for r in seed_data.annotations.relations if {r.subject, r.object} == pair]
    assert curator.write("POST", "/v1/relations", same).status_code == 201
    mirrored = same | {"subject_id": "pkit-056", "object_id": "pkit-002"}
    assert_problem(curator.write("POST", "/v1/relations", mirrored), 409, "conflict")


def test_retyping_into_an_existing_relation_is_refused(curator: Curator, seed_data: SeedData) -> None:
    subject, kind, object_ = SEEDED
    assert SEEDED in _seeded(seed_data)
    supports = NEW | {"subject_id": subject, "type": "supports", "object_id": object_}
    created = curator.write("POST", "/v1/relations", supports)
    assert created.status_code == 201, created.text
    path = f"/v1/relations/{created.json()['id']}"
    retyped = curator.write("PATCH", path, {"type": kind}, if_match=created.headers["etag"])
    assert_problem(retyped, 409, "conflict")
    assert get_json(curator.client, path)["type"] == "supports"


def test_deleting_a_claim_deletes_its_relations(curator: Curator, seed_data: SeedData) -> None:
    kept = [triple for triple in _seeded(seed_data) if "pkit-038" not in (triple[0], triple[2])]
    assert len(kept) < len(_seeded(seed_data))
    deleted = curator.write("DELETE", "/v1/claims/pkit-038", key="admin", if_match="current")
    assert deleted.status_code == 204, deleted.text
    listed, total = walk(curator.client, "/v1/relations", limit=100)
    assert [_triple(relation) for relation in listed] == kept
    assert total == len(kept)
