"""/v1/relations: claim relations listed, created, edited and deleted like every revisioned resource
(If-Match, 412/428, 410 after deletion, 405 with Allow), each write one change in the log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.support import assert_problem, get_json, walk
from tests.curation import Curator, Json

# The seed's one relation (seed/annotations.yaml): pkit-038 states a clause of pkit-037's sentence.
SEEDED = {"id": 1, "subject_id": "pkit-038", "type": "part-of", "object_id": "pkit-037"}
NEW: Json = {
    "subject_id": "pkit-039",
    "type": "part-of",
    "object_id": "pkit-037",
    "note": "pkit-039 restates one clause of the sentence pkit-037 quotes.",
}


def test_the_seeded_relation_is_listed_and_read(client: TestClient) -> None:
    relation = get_json(client, "/v1/relations/1")
    assert {key: relation[key] for key in SEEDED} == SEEDED
    assert relation["note"]
    for params in ([], [("claim", "pkit-037")], [("claim", "pkit-038,pkit-001")], [("type", "part-of")]):
        listed, total = walk(client, "/v1/relations", params)
        assert total == 1
        assert listed == [relation]
    for params in ([("claim", "pkit-001")], [("type", "supports,contradicts")]):
        assert walk(client, "/v1/relations", params) == ([], 0)


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


def test_a_relation_is_created_edited_and_deleted_with_its_history(curator: Curator) -> None:
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
        (NEW | {"subject_id": "pkit-038"}, 409, "exists already"),
        (NEW | {"note": ""}, 422, "note"),
        (NEW | {"extra": 1}, 422, "extra"),
    ],
)
def test_a_bad_relation_is_refused_and_changes_nothing(
    curator: Curator, body: Json, status: int, needle: str
) -> None:
    problem = assert_problem(curator.write("POST", "/v1/relations", body), status)
    assert needle in str(problem)
    assert curator.change_count() == 0
    assert [relation["id"] for relation in walk(curator.client, "/v1/relations")[0]] == [1]


def test_same_as_is_stored_once_whichever_way_round(curator: Curator) -> None:
    same = {"subject_id": "pkit-002", "type": "same-as", "object_id": "pkit-056", "note": "Test: a repeat."}
    assert curator.write("POST", "/v1/relations", same).status_code == 201
    mirrored = same | {"subject_id": "pkit-056", "object_id": "pkit-002"}
    assert_problem(curator.write("POST", "/v1/relations", mirrored), 409, "conflict")


def test_retyping_into_an_existing_relation_is_refused(curator: Curator) -> None:
    supports = NEW | {"subject_id": "pkit-038", "type": "supports"}
    created = curator.write("POST", "/v1/relations", supports)
    assert created.status_code == 201, created.text
    path = f"/v1/relations/{created.json()['id']}"
    retyped = curator.write("PATCH", path, {"type": "part-of"}, if_match=created.headers["etag"])
    assert_problem(retyped, 409, "conflict")
    assert get_json(curator.client, path)["type"] == "supports"


def test_deleting_a_claim_deletes_its_relations(curator: Curator) -> None:
    deleted = curator.write("DELETE", "/v1/claims/pkit-038", key="admin", if_match="current")
    assert deleted.status_code == 204, deleted.text
    assert walk(curator.client, "/v1/relations") == ([], 0)
