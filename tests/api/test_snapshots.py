"""Snapshots: one consistent read of the whole fact base; a snapshot plus the change feed since its change id
reproduces the live API exactly; the files are served as their manifest describes them."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database, create_database
from app.services import snapshots
from app.services.copying import table_dump
from app.services.tables import API_KEY
from app.services.themes import every_theme
from tests.api.support import assert_problem
from tests.curation import Curator, Json, curating

# The change feed's resource types, and the snapshot file each kind of resource is in.
FILES = {"claim": "claims", "document": "documents", "theme": "themes", "entity": "entities", "note": "notes"}
State = dict[str, dict[str, Json]]


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    return tmp_path / "snapshots"


@pytest.fixture
def curator(fresh_url: str, snapshot_dir: Path) -> Iterator[Curator]:
    with curating(fresh_url, snapshot_dir=str(snapshot_dir)) as made:
        yield made


def _walk(client: TestClient, path: str) -> list[Json]:
    found: list[Json] = []
    cursor = None
    while True:
        page = client.get(path, params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        found += page["data"]
        if (cursor := page["meta"]["next_cursor"]) is None:
            return found


def live_state(client: TestClient) -> State:
    """Every resource as the live API answers its GET, by kind and key."""
    claims = {claim["id"]: claim for claim in _walk(client, "/v1/claims")}
    documents = {
        summary["id"]: client.get(f"/v1/documents/{summary['id']}").json()
        for summary in _walk(client, "/v1/documents")
    }
    notes = {
        str(note["id"]): note
        for claim_id in claims
        for note in _walk(client, f"/v1/claims/{claim_id}/context")
    }
    return {
        "claims": claims,
        "documents": documents,
        "themes": {theme["slug"]: theme for theme in _walk(client, "/v1/themes")},
        "entities": {entity["slug"]: entity for entity in _walk(client, "/v1/entities")},
        "notes": notes,
    }


def _key(kind: str, record: Json) -> str:
    return str(record["slug"] if kind in {"themes", "entities"} else record["id"])


def downloaded_state(client: TestClient) -> tuple[Json, State]:
    """The latest snapshot's manifest, and its NDJSON files read through the API, each checked against it."""
    manifest = client.get("/v1/snapshots/latest").json()
    state: State = {}
    for described in manifest["files"]:
        answer = client.get(manifest["links"][described["name"]])
        assert answer.status_code == 200, described
        assert answer.headers["content-type"].startswith(described["media_type"])
        assert len(answer.content) == described["bytes"]
        assert hashlib.sha256(answer.content).hexdigest() == described["sha256"]
        if described["name"].endswith(".ndjson"):
            kind = described["name"].removesuffix(".ndjson")
            records = [json.loads(line) for line in answer.content.splitlines()]
            assert len(records) == described["records"] == manifest["counts"][kind]
            state[kind] = {_key(kind, record): record for record in records}
    return manifest, state


def replay(state: State, changes: list[Json]) -> State:
    """What a mirror does: put each change's `after` in place (or drop the resource), then recompute what
    the resources show of one another (claim counts, names of themes and entities, claims' notes)."""
    for change in changes:
        kind, key = FILES[change["type"]], change["resource_id"]
        if change["after"] is not None:
            state[kind][key] = change["after"]
            continue
        state[kind].pop(key, None)
        if kind == "claims":  # a deleted claim's notes go with it
            state["notes"] = {k: n for k, n in state["notes"].items() if n["claim_id"] != key}
    return derived(state)


def derived(state: State) -> State:
    """`state` with every field that follows from other resources computed again from them."""
    claims = state["claims"].values()
    for slug, theme in state["themes"].items():
        theme["claim_count"] = sum(slug in [t["slug"] for t in claim["themes"]] for claim in claims)
    for slug, entity in state["entities"].items():
        entity["claim_count"] = sum(slug in [e["slug"] for e in claim["entities"]] for claim in claims)
    for document_id, document in state["documents"].items():
        document["claim_count"] = sum(claim["document_id"] == document_id for claim in claims)
    for claim in claims:
        claim["themes"] = [
            {"slug": t["slug"], "name": state["themes"][t["slug"]]["name"]} for t in claim["themes"]
        ]
        claim["entities"] = [
            {key: state["entities"][e["slug"]][key] for key in ("slug", "name", "type")}
            for e in claim["entities"]
        ]
        notes = sorted(
            (note for note in state["notes"].values() if note["claim_id"] == claim["id"]),
            key=lambda n: n["id"],
        )
        claim["context"] = [{"note": note["note"], "sources": note["sources"]} for note in notes]
        # A claim's source, and each related claim's, is its document as a citation.
        claim["source"] = _source(state, claim["document_id"])
        for related in claim["relations"]:
            related["claim"]["source"] = _source(state, related["claim"]["source"]["document_id"])
    return state


def _source(state: State, document_id: str) -> Json:
    document = state["documents"][document_id]
    fields = ("title", "publisher", "url", "published_date", "published_precision", "text_held")
    fields += ("retrieved_date", "retrieved_precision")  # type: ignore[assignment]
    return {"document_id": document_id, **{key: document[key] for key in fields}}


def _changes_since(client: TestClient, change_id: int) -> list[Json]:
    changes: list[Json] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"since": change_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/changes", params=params).json()
        changes += page["data"]
        if (cursor := page["meta"]["next_cursor"]) is None:
            return changes


def _ok(curator: Curator, method: str, path: str, body: Json | None = None) -> Json:
    # Every write with the admin key: deleting a theme or an entity needs its scope.
    if_match = None if method == "POST" else "current"
    answer = curator.write(method, path, body, key="admin", if_match=if_match)
    assert answer.status_code in {200, 201, 204}, answer.text
    return answer.json() if answer.content else {}


def _writes_before(curator: Curator) -> None:
    _ok(curator, "POST", "/v1/themes", {"slug": "digital-payments", "name": "Payments", "description": "D."})
    _ok(curator, "PATCH", "/v1/claims/pkit-038", {"statement": "Careem is a homegrown service."})


def _writes_after(curator: Curator, live: State) -> None:
    # A claim with no relations: deleting a related claim would delete its relations too, which the change
    # log records but this mirror does not replay (claims' relations are not recomputed here).
    unrelated = next(claim_id for claim_id, claim in live["claims"].items() if not claim["relations"])
    note_id = next(key for key, note in live["notes"].items() if note["claim_id"] != unrelated)
    created = _ok(
        curator,
        "POST",
        "/v1/claims",
        {
            "document": "pakistan-it-sector",
            "statement": "Pakistan's tech sector will create jobs.",
            "quote": "creating jobs",
            "kind": "prediction",
            "themes": ["outlook", "digital-payments"],
            "entities": ["pakistan"],
        },
    )
    _ok(
        curator,
        "POST",
        f"/v1/claims/{created['id']}/context",
        {"note": "Said elsewhere.", "sources": [{"title": "R"}]},
    )
    _ok(curator, "PATCH", "/v1/entities/careem", {"name": "Careem ride-hailing"})
    _ok(curator, "PATCH", "/v1/themes/outlook", {"name": "The outlook"})
    _ok(curator, "PATCH", f"/v1/notes/{note_id}", {"note": "Another source puts it differently."})
    _ok(curator, "DELETE", f"/v1/claims/{unrelated}")
    _ok(curator, "PATCH", "/v1/documents/pakistan-it-sector", {"publisher": "A paper"})
    _ok(curator, "PATCH", f"/v1/claims/{created['id']}", {"themes": ["outlook"]})
    _ok(curator, "DELETE", "/v1/themes/digital-payments")
    _ok(
        curator,
        "POST",
        "/v1/entities",
        {
            "slug": "pseb",
            "name": "PSEB",
            "type": "government",
            "description": "Software exports body.",
            "aliases": [],
            "external_ids": {},
        },
    )


def test_a_snapshot_plus_the_changes_since_equals_the_live_api(curator: Curator, snapshot_dir: Path) -> None:
    _writes_before(curator)
    manifest = snapshots.write_snapshot(curator.database, snapshot_dir)
    assert manifest.change_id == len(_changes_since(curator.client, 0)) > 0
    served, state = downloaded_state(curator.client)
    assert served["change_id"] == manifest.change_id
    assert served["id"] == manifest.id
    # Taken while nothing moved: the files are the live API, and recomputing what is derived changes nothing.
    at_snapshot = live_state(curator.client)
    assert state == at_snapshot
    assert derived(json.loads(json.dumps(state))) == at_snapshot
    _writes_after(curator, at_snapshot)
    now = live_state(curator.client)
    assert now != at_snapshot
    changes = _changes_since(curator.client, manifest.change_id)
    assert len(changes) == 10
    assert replay(state, changes) == now


def test_the_sqlite_file_is_the_database_at_the_snapshot_without_the_keys(
    curator: Curator, snapshot_dir: Path
) -> None:
    _writes_before(curator)
    manifest = snapshots.write_snapshot(curator.database, snapshot_dir)
    path = snapshot_dir / manifest.id / snapshots.SQLITE_FILE
    assert not path.with_name(path.name + "-wal").exists()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("SELECT count(*) FROM api_key").fetchone()[0] == 0
        assert raw.execute("SELECT count(*) FROM change WHERE key_id IS NOT NULL").fetchone()[0] == 0
    copy = create_database(Settings(database_url=f"sqlite:///{path}"))
    try:
        in_file, live = table_dump(copy), table_dump(curator.database)
    finally:
        copy.dispose()
    del live[API_KEY.name], in_file[API_KEY.name]
    key_id = [column.name for column in API_KEY.metadata.tables["change"].columns].index("key_id")
    live["change"] = [(*row[:key_id], None, *row[key_id + 1 :]) for row in live["change"]]
    assert in_file == live
    assert sum(manifest.counts.values()) > 0


def test_the_snapshot_is_one_read_while_writes_go_on(
    curator: Curator, snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write committed after the snapshot's first read (here between its files) is in none of them."""
    writer: Database = curator.database

    def write_meanwhile(connection: Any) -> Any:
        _ok(curator, "PATCH", "/v1/themes/outlook", {"name": "Written meanwhile"})
        _ok(curator, "DELETE", "/v1/claims/pkit-001")
        return every_theme(connection)

    monkeypatch.setattr(snapshots, "every_theme", write_meanwhile)
    manifest = snapshots.write_snapshot(writer, snapshot_dir)
    _, state = downloaded_state(curator.client)
    assert manifest.change_id == 0
    assert state["themes"]["outlook"]["name"] != "Written meanwhile"
    assert "pkit-001" in state["claims"]
    copy = create_database(
        Settings(database_url=f"sqlite:///{snapshot_dir / manifest.id / snapshots.SQLITE_FILE}")
    )
    try:
        with copy.read() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM change").scalar_one() == 0
            assert (
                connection.exec_driver_sql("SELECT count(*) FROM claim WHERE id = 'pkit-001'").scalar_one()
                == 1
            )
    finally:
        copy.dispose()
    assert len(_changes_since(curator.client, manifest.change_id)) == 2


def test_latest_moves_and_old_snapshots_are_pruned(curator: Curator, snapshot_dir: Path) -> None:
    assert_problem(curator.client.get("/v1/snapshots/latest"), 404, "not-found")
    first = snapshots.write_snapshot(curator.database, snapshot_dir, keep=1)
    _ok(curator, "PATCH", "/v1/themes/outlook", {"name": "Later"})
    second = snapshots.write_snapshot(curator.database, snapshot_dir, keep=1)
    assert curator.client.get("/v1/snapshots/latest").json()["id"] == second.id != first.id
    assert second.change_id == first.change_id + 1
    assert not (snapshot_dir / first.id).exists()
    kept = sorted(path.name for path in snapshot_dir.iterdir() if not path.name.startswith("."))
    assert kept == sorted([second.id, snapshots.LATEST])
    claims = curator.client.get(f"/v1/snapshots/{second.id}/claims.ndjson")
    assert hashlib.sha256(claims.content).hexdigest() == second.files[0].sha256
    assert claims.headers["etag"].strip('"').removesuffix("-gzip") == second.files[0].sha256
    assert_problem(curator.client.get(f"/v1/snapshots/{first.id}/claims.ndjson"), 404, "not-found")
    assert_problem(curator.client.get("/v1/snapshots/latest/other.ndjson"), 404, "not-found")
    assert curator.client.get("/v1/snapshots/latest/..%2Fsecret.json").status_code in {404, 422}


def test_without_a_snapshot_folder_there_is_no_snapshot(client: TestClient) -> None:
    assert_problem(client.get("/v1/snapshots/latest"), 404, "not-found")
    assert_problem(client.get("/v1/snapshots/latest/claims.ndjson"), 404, "not-found")
