"""Writing themes, entities (aliases and external ids included), context notes and documents."""

from __future__ import annotations

import hashlib

import pytest

from app.services.copying import table_dump
from tests.api.support import assert_problem, get_json
from tests.curation import Curator, Json

THEME: Json = {
    "slug": "digital-payments",
    "name": "Digital payments",
    "description": "Wallets and payment rails.",
}
ENTITY: Json = {
    "slug": "pakistan-software-export-board",
    "name": "Pakistan Software Export Board",
    "type": "government",
    "description": "Promotes Pakistan's software exports.",
    "aliases": ["PSEB"],
    "external_ids": {"wikidata": "Q7130617"},
}
NOTE: Json = {
    "note": "Another source says so.",
    "sources": [{"title": "A report", "publisher": "A paper", "date": "2024"}],
}


def _search(curator: Curator, query: str, kind: str) -> list[str]:
    hits = get_json(curator.client, "/v1/search", [("q", query), ("type", kind)])["data"]
    return [hit["id"] for hit in hits]


# --- themes ---------------------------------------------------------------------------------------------


def test_theme_create_edit_delete(curator: Curator) -> None:
    created = curator.write("POST", "/v1/themes", THEME)
    assert created.status_code == 201, created.text
    assert created.json() == THEME | {"claim_count": 0}
    assert created.headers["location"] == "/v1/themes/digital-payments"
    themes = get_json(curator.client, "/v1/themes", [("limit", 100)])["data"]
    assert themes[-1]["slug"] == "digital-payments"  # listed after the existing ones
    assert _search(curator, "wallets", "theme") == ["digital-payments"]

    edited = curator.write(
        "PATCH", "/v1/themes/digital-payments", {"name": "Mobile money"}, if_match="current"
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["name"] == "Mobile money"
    assert _search(curator, "mobile money", "theme") == ["digital-payments"]
    assert _search(curator, '"digital payments"', "theme") == []

    deleted = curator.write("DELETE", "/v1/themes/digital-payments", key="admin", if_match="current")
    assert deleted.status_code == 204
    assert_problem(curator.client.get("/v1/themes/digital-payments"), 410, "gone")
    assert _search(curator, "wallets", "theme") == []


def test_theme_refusals(refusing_curator: Curator) -> None:
    curator = refusing_curator
    conflict = assert_problem(
        curator.write("POST", "/v1/themes", THEME | {"slug": "outlook"}), 409, "conflict"
    )
    assert "outlook" in conflict["detail"]
    in_use = assert_problem(
        curator.write("DELETE", "/v1/themes/outlook", key="admin", if_match="*"), 409, "conflict"
    )
    assert in_use["claim_count"] > 0
    for body, location in [
        (THEME | {"slug": "Not A Slug"}, "body.slug"),
        (THEME | {"position": 1}, "body.position"),
        ({"slug": "x", "name": "X"}, "body.description"),
        (THEME | {"name": "Two\nlines"}, "body.name"),
    ]:
        problem = assert_problem(curator.write("POST", "/v1/themes", body), 422, "invalid-request")
        assert [e["location"] for e in problem["errors"]] == [location]
    patch = assert_problem(curator.write("PATCH", "/v1/themes/outlook", {"slug": "x"}, if_match="*"), 422)
    assert patch["errors"][0]["location"] == "body.slug"  # a slug is permanent
    assert_problem(
        curator.write("PATCH", "/v1/themes/no-such-theme", {"name": "X"}, if_match="*"), 404, "not-found"
    )


# --- entities -------------------------------------------------------------------------------------------


def test_entity_create_with_aliases_and_external_ids(curator: Curator) -> None:
    created = curator.write("POST", "/v1/entities", ENTITY)
    assert created.status_code == 201, created.text
    assert created.json() == {**ENTITY, "claim_count": 0}
    assert get_json(curator.client, "/v1/entities/pseb")["slug"] == ENTITY["slug"]  # found by alias
    assert _search(curator, "PSEB", "entity") == [ENTITY["slug"]]
    suggestions = get_json(curator.client, "/v1/autocomplete", [("q", "pse")])["data"]
    assert ENTITY["slug"] in [s["slug"] for s in suggestions]


def test_entity_patch_replaces_aliases_and_external_ids(curator: Curator) -> None:
    body = {"aliases": ["Careem Networks", "Careem Ride"], "external_ids": {"wikidata": "Q5039316"}}
    response = curator.write("PATCH", "/v1/entities/CAREEM", body, if_match="current")
    assert response.status_code == 200, response.text
    assert response.json()["aliases"] == ["Careem Networks", "Careem Ride"]
    assert response.json()["external_ids"] == {"wikidata": "Q5039316"}
    assert get_json(curator.client, "/v1/entities/careem ride")["slug"] == "careem"
    assert_problem(curator.client.get("/v1/entities/Careem%20Networks%20FZ-LLC"), 404, "not-found")
    assert _search(curator, '"careem ride"', "entity") == ["careem"]
    renamed = curator.write(
        "PATCH", "/v1/entities/careem", {"name": "Careem Networks FZ"}, if_match="current"
    )
    assert renamed.status_code == 200, renamed.text
    # Claims show the entity's new name at once.
    claim = get_json(curator.client, "/v1/claims/pkit-038")
    assert "Careem Networks FZ" in [e["name"] for e in claim["entities"]]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (ENTITY | {"aliases": ["Daraz.pk"]}, 409, "'Daraz.pk' is already a name of 'daraz'"),
        (ENTITY | {"name": "careem"}, 409, "already a name of 'careem'"),
        (ENTITY | {"slug": "daraz"}, 409, "already a name of 'daraz'"),
        (
            ENTITY | {"aliases": ["pakistan software export board"]},
            422,
            "repeats one of the entity's own names",
        ),
        (ENTITY | {"type": "planet"}, 422, ""),
        (ENTITY | {"external_ids": {"bad key!": "x"}}, 422, ""),
        (ENTITY | {"wikipedia": "x"}, 422, "Extra inputs"),
    ],
)
def test_entity_refusals(refusing_curator: Curator, body: Json, status: int, words: str) -> None:
    before = table_dump(refusing_curator.database)
    problem = assert_problem(refusing_curator.write("POST", "/v1/entities", body), status)
    assert words in problem["detail"]
    assert table_dump(refusing_curator.database) == before


def test_entity_delete_only_when_unused(curator: Curator) -> None:
    refused = curator.write("DELETE", "/v1/entities/careem", key="admin", if_match="current")
    assert_problem(refused, 409, "conflict")
    assert curator.write("POST", "/v1/entities", ENTITY).status_code == 201
    assert curator.write("DELETE", "/v1/entities/PSEB", key="admin", if_match="current").status_code == 204
    assert_problem(curator.client.get(f"/v1/entities/{ENTITY['slug']}"), 410, "gone")
    assert_problem(curator.client.get("/v1/entities/pseb"), 404, "not-found")  # the alias went with it
    assert get_json(curator.client, f"/v1/entities/{ENTITY['slug']}/history")["meta"]["total"] == 2


# --- context notes --------------------------------------------------------------------------------------


def test_notes_are_listed_added_edited_and_deleted(curator: Curator) -> None:
    listed = get_json(curator.client, "/v1/claims/pkit-038/context")["data"]
    claim = get_json(curator.client, "/v1/claims/pkit-038")
    assert [{"note": n["note"], "sources": n["sources"]} for n in listed] == claim["context"]

    created = curator.write("POST", "/v1/claims/pkit-038/context", NOTE)
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["claim_id"] == "pkit-038"
    assert note["sources"] == [{"title": "A report", "publisher": "A paper", "url": None, "date": "2024"}]
    assert created.headers["location"] == f"/v1/notes/{note['id']}"
    assert get_json(curator.client, "/v1/claims/pkit-038")["context"][-1]["note"] == NOTE["note"]

    path = f"/v1/notes/{note['id']}"
    edited = curator.write("PATCH", path, {"note": "Another source says otherwise."}, if_match="current")
    assert edited.status_code == 200, edited.text
    assert (
        get_json(curator.client, "/v1/claims/pkit-038")["context"][-1]["note"]
        == "Another source says otherwise."
    )

    assert curator.write("DELETE", path, if_match="current").status_code == 204
    gone = assert_problem(curator.client.get(path), 410, "gone")
    assert gone["history"] == "/v1/claims/pkit-038/history"
    assert len(get_json(curator.client, "/v1/claims/pkit-038")["context"]) == len(listed)


def test_note_refusals(refusing_curator: Curator) -> None:
    curator = refusing_curator
    assert_problem(curator.write("POST", "/v1/claims/pkit-999/context", NOTE), 404, "not-found")
    for body in [
        NOTE | {"sources": []},
        NOTE | {"position": 0},
        {"note": "N."},
        NOTE | {"sources": [{"year": 1}]},
    ]:
        assert_problem(curator.write("POST", "/v1/claims/pkit-038/context", body), 422, "invalid-request")
    assert_problem(curator.write("PATCH", "/v1/notes/999999", {"note": "N."}, if_match="*"), 404, "not-found")
    assert_problem(curator.client.get("/v1/notes/0"), 422, "invalid-request")


# --- documents ------------------------------------------------------------------------------------------

DOCUMENT: Json = {
    "id": "pk-it-exports",
    "title": "IT exports keep climbing",
    "text": "Pakistan’s IT exports rose again. Freelancers led the way.\n",  # noqa: RUF001
    "language": "en",
    "publisher": "A paper",
}


def test_document_is_added_with_its_checksum_and_then_quoted(curator: Curator) -> None:
    created = curator.write("POST", "/v1/documents", DOCUMENT)
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["sha256"] == hashlib.sha256(DOCUMENT["text"].encode()).hexdigest()
    assert document["length"] == len(DOCUMENT["text"])
    assert document["claim_count"] == 0
    claim = {
        "document": "pk-it-exports",
        "statement": "Freelancers led the growth of Pakistan's IT exports.",
        "quote": "Freelancers led the way",
        "kind": "fact",
        "themes": ["freelancing-exports"],
        "entities": ["freelancers"],
    }
    made = curator.write("POST", "/v1/claims", claim)
    assert made.status_code == 201, made.text
    assert made.json()["id"] == "pk-it-exports-001"
    assert made.json()["span"] == {"start": 34, "end": 57}
    assert get_json(curator.client, "/v1/documents/pk-it-exports")["claim_count"] == 1


def test_document_metadata_is_corrected_but_never_its_text(curator: Curator) -> None:
    path = "/v1/documents/pakistan-it-sector"
    response = curator.write("PATCH", path, {"publisher": "Unknown daily", "url": None}, if_match="current")
    assert response.status_code == 200, response.text
    assert response.json()["publisher"] == "Unknown daily"
    refused = curator.write("PATCH", path, {"text": "Rewritten."}, if_match="current")
    assert assert_problem(refused, 422)["errors"][0]["location"] == "body.text"
    assert_problem(curator.write("PATCH", path, {"title": None}, if_match="current"), 422)


def test_document_refusals(refusing_curator: Curator) -> None:
    curator = refusing_curator
    taken = DOCUMENT | {"id": "pakistan-it-sector"}
    assert_problem(curator.write("POST", "/v1/documents", taken), 409, "conflict")
    for change in [{"sha256": "0" * 64}, {"text": ""}, {"text": "a\x00b"}, {"language": "not a tag"}]:
        assert_problem(curator.write("POST", "/v1/documents", DOCUMENT | change), 422, "invalid-request")
