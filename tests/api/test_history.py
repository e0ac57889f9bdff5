"""History: every write is one change with who, when, before and after; the log pages and syncs in order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.services.change_feed import changes_after
from app.services.pagination import encode_cursor
from app.services.tables import CHANGE
from tests.api.support import assert_problem, get_json, walk
from tests.curation import Curator, Json
from tests.databases import engine_under_test

NOTE: Json = {"note": "A note.", "sources": [{"title": "A source"}]}
# (method, path, body, the GET path of the resource it changes); "{note}" is the note made by the script.
SCRIPT: list[tuple[str, str, Json | None, str]] = [
    (
        "POST",
        "/v1/themes",
        {"slug": "payments", "name": "Payments", "description": "Wallets."},
        "/v1/themes/payments",
    ),
    ("PATCH", "/v1/themes/payments", {"name": "Digital payments"}, "/v1/themes/payments"),
    (
        "POST",
        "/v1/entities",
        {
            "slug": "jazzcash",
            "name": "JazzCash",
            "type": "company",
            "description": "A wallet.",
            "aliases": ["Jazz Cash"],
        },
        "/v1/entities/jazzcash",
    ),
    ("PATCH", "/v1/entities/jazz cash", {"external_ids": {"wikidata": "Q1"}}, "/v1/entities/jazzcash"),
    (
        "PATCH",
        "/v1/claims/pkit-041",
        {"themes": ["payments"], "entities": ["jazzcash"]},
        "/v1/claims/pkit-041",
    ),
    ("POST", "/v1/claims/pkit-041/context", NOTE, "/v1/notes/{note}"),
    ("PATCH", "/v1/notes/{note}", {"note": "A better note."}, "/v1/notes/{note}"),
    ("DELETE", "/v1/notes/{note}", None, "/v1/notes/{note}"),
    (
        "PATCH",
        "/v1/documents/pakistan-it-sector",
        {"publisher": "Someone"},
        "/v1/documents/pakistan-it-sector",
    ),
    ("DELETE", "/v1/claims/pkit-041", None, "/v1/claims/pkit-041"),
    ("DELETE", "/v1/themes/payments", None, "/v1/themes/payments"),
    ("DELETE", "/v1/entities/jazzcash", None, "/v1/entities/jazzcash"),
]
TYPES = {"themes": "theme", "entities": "entity", "claims": "claim", "notes": "note", "documents": "document"}


def _get(curator: Curator, path: str) -> Json | None:
    response = curator.client.get(path)
    if response.status_code in {404, 410}:
        return None
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def _run_script(curator: Curator) -> list[tuple[Json | None, Json | None, str, str]]:
    """Run every write, checking that each adds exactly one change; returns (before, after, type, action)."""
    expected = []
    note = ""
    for method, path, body, resource in SCRIPT:
        path, resource = path.format(note=note), resource.format(note=note)
        before = _get(curator, resource) if method != "POST" else None
        count = curator.change_count()
        response = curator.write(
            method, path, body, key="admin", if_match=None if method == "POST" else "current"
        )
        assert response.status_code in {200, 201, 204}, (path, response.text)
        assert curator.change_count() == count + 1, path
        if "/context" in path:
            note = str(response.json()["id"])
            resource = f"/v1/notes/{note}"
        after = _get(curator, resource)
        action = {"POST": "create", "PATCH": "update", "DELETE": "delete"}[method]
        expected.append((before, after, TYPES[resource.split("/")[2]], action))
    return expected


def test_every_write_is_exactly_one_change_with_its_before_and_after(curator: Curator) -> None:
    expected = _run_script(curator)
    changes, total = walk(curator.client, "/v1/changes", limit=3)
    assert total == len(expected) == len(changes)
    for change, (before, after, kind, action) in zip(changes, expected, strict=True):
        assert (change["type"], change["action"]) == (kind, action)
        assert change["before"] == before
        assert change["after"] == after
        assert change["key_name"] == "admin key"
        resource = after or before or {}
        assert change["resource_id"] == str(resource.get("slug", resource.get("id")))
    ids = [change["id"] for change in changes]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    moments = [dt.datetime.fromisoformat(change["at"]) for change in changes]
    assert all(change["at"].endswith("Z") for change in changes)
    assert moments == sorted(moments)


def test_a_claims_history_has_its_notes_and_survives_its_deletion(curator: Curator) -> None:
    _run_script(curator)
    history = get_json(curator.client, "/v1/claims/pkit-041/history")["data"]
    assert [(c["type"], c["action"]) for c in history] == [
        ("claim", "update"),
        ("note", "create"),
        ("note", "update"),
        ("note", "delete"),
        ("claim", "delete"),
    ]
    assert_problem(curator.client.get("/v1/claims/pkit-041"), 410, "gone")
    themes = get_json(curator.client, "/v1/themes/payments/history")["data"]
    assert [c["action"] for c in themes] == ["create", "update", "delete"]
    entities = get_json(curator.client, "/v1/entities/jazzcash/history")["data"]
    assert [c["action"] for c in entities] == ["create", "update", "delete"]
    document = get_json(curator.client, "/v1/documents/pakistan-it-sector/history")["data"]
    assert [c["after"]["publisher"] for c in document] == ["Someone"]


def test_changes_since_an_id_or_a_time(curator: Curator) -> None:
    _run_script(curator)
    everything = get_json(curator.client, "/v1/changes", [("limit", 100)])["data"]
    third = everything[2]
    since_id = get_json(curator.client, "/v1/changes", [("since", third["id"]), ("limit", 100)])["data"]
    assert since_id == everything[3:]
    since_at = get_json(curator.client, "/v1/changes", [("since", third["at"]), ("limit", 100)])["data"]
    assert since_at[0]["at"] >= third["at"]
    assert since_at == [c for c in everything if c["at"] >= third["at"]]
    offset = dt.datetime.fromisoformat(third["at"]).astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert (
        get_json(curator.client, "/v1/changes", [("since", offset.isoformat()), ("limit", 100)])["data"]
        == since_at
    )
    latest = everything[-1]["id"]
    assert get_json(curator.client, "/v1/changes", [("since", latest)]) == {
        "data": [],
        "meta": {"total": 0, "limit": 20, "next_cursor": None},
    }


@pytest.mark.parametrize("since", [2**31, 93_970_522_431, 2**63 - 1])
def test_a_change_id_past_every_possible_one_is_after_every_change(curator: Curator, since: int) -> None:
    # PostgreSQL's change ids are 32-bit: an id past them, as `since` or in a cursor, is no 500.
    _run_script(curator)
    empty = {"data": [], "meta": {"total": 0, "limit": 20, "next_cursor": None}}
    assert get_json(curator.client, "/v1/changes", [("since", since)]) == empty
    far = encode_cursor("changes", [since])
    assert get_json(curator.client, "/v1/changes", [("cursor", far)])["data"] == []
    with curator.database.read() as connection:
        assert changes_after(connection, since) == []


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "-1", "9" * 30])
def test_a_bad_since_answers_422(refusing_curator: Curator, since: str) -> None:
    problem = assert_problem(refusing_curator.client.get("/v1/changes", params={"since": since}), 422)
    assert any("since" in error["location"] for error in problem["errors"])


def test_history_of_what_never_existed_is_404_and_of_seeded_data_empty(refusing_curator: Curator) -> None:
    client = refusing_curator.client
    for path in ["/v1/claims/pkit-999/history", "/v1/themes/nope/history", "/v1/entities/nobody/history"]:
        assert_problem(client.get(path), 404, "not-found")
    assert_problem(client.get("/v1/documents/nope/history"), 404, "not-found")
    assert get_json(client, "/v1/entities/Daraz.pk/history")["meta"]["total"] == 0
    assert get_json(client, "/v1/claims/pkit-001/history")["data"] == []


def test_the_log_stores_aware_utc_times_on_every_engine(curator: Curator) -> None:
    before = dt.datetime.now(dt.UTC)
    curator.write("POST", "/v1/claims/pkit-001/context", NOTE)
    with curator.database.read() as connection:
        at: Any = connection.execute(select(CHANGE.c.at)).scalar_one()
        raw = connection.exec_driver_sql('SELECT at FROM "change"').scalar_one()
    assert at.tzinfo is not None
    assert at.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)
    if engine_under_test() == "sqlite":
        # SQLite keeps a naive text timestamp; the column type makes it aware UTC again on reading.
        assert isinstance(raw, str)
        assert "+" not in raw
