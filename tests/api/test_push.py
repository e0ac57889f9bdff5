"""Push through the API: webhook registration by admins (secret shown once, filters resolved, refusals
that change nothing), the change stream's refusals, which changes a filter picks, and the lease."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app.services import leases
from app.services.change_feed import ChangeFilter, changes_after, last_change_id, resolve_filter
from app.services.tables import WEBHOOK
from app.services.webhook_signing import signature, signed_headers, verify
from tests.api.support import assert_problem
from tests.curation import Curator, Json, curating

HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture
def admin(fresh_url: str) -> Iterator[Curator]:
    """A curator whose app delivers nothing (these tests only register hooks)."""
    with curating(fresh_url, webhook_delivery=False) as made:
        yield made


def _hooks(curator: Curator) -> int:
    with curator.database.read() as connection:
        count: int = connection.execute(select(func.count()).select_from(WEBHOOK)).scalar_one()
        return count


def test_an_admin_registers_lists_edits_and_deletes_a_hook(admin: Curator) -> None:
    body = {"url": HOOK, "types": ["claim", "note"], "entities": ["Daraz.pk"], "themes": ["outlook"]}
    made = admin.write("POST", "/v1/webhooks", body, key="admin")
    assert made.status_code == 201, made.text
    hook: Json = made.json()
    assert hook["secret"].startswith("whsec_")
    assert len(hook["secret"]) > 40
    # The alias is stored as the entity's slug; the cursor starts at the log's newest change.
    assert (hook["types"], hook["entities"], hook["themes"]) == (["claim", "note"], ["daraz"], ["outlook"])
    with admin.database.read() as connection:
        assert hook["cursor"] == last_change_id(connection)
    assert (hook["enabled"], hook["failures"], hook["created_by"]) == (True, 0, "admin key")

    path = f"/v1/webhooks/{hook['id']}"
    listed = admin.client.get("/v1/webhooks", headers=admin.auth("admin")).json()
    assert [item["id"] for item in listed["data"]] == [hook["id"]]
    shown = admin.client.get(path, headers=admin.auth("admin")).json()
    assert "secret" not in shown
    assert shown == {key: value for key, value in hook.items() if key != "secret"}

    paused = admin.write("PATCH", path, {"enabled": False, "themes": []}, key="admin").json()
    assert (paused["enabled"], paused["themes"], paused["disabled_reason"]) == (
        False,
        [],
        "Disabled by an admin.",
    )
    enabled = admin.write("PATCH", path, {"enabled": True}, key="admin").json()
    assert (enabled["enabled"], enabled["disabled_at"], enabled["failures"]) == (True, None, 0)
    deliveries = admin.client.get(f"{path}/deliveries", headers=admin.auth("admin")).json()
    assert deliveries == {"data": [], "meta": {"total": 0, "limit": 20, "next_cursor": None}}

    assert admin.write("DELETE", path, key="admin").status_code == 204
    assert_problem(admin.client.get(path, headers=admin.auth("admin")), 404, "not-found")
    assert_problem(admin.client.get(f"{path}/deliveries", headers=admin.auth("admin")), 404, "not-found")
    assert _hooks(admin) == 0


@pytest.mark.parametrize("hook_id", [2**31, 2**63 - 1])
def test_a_hook_id_past_every_possible_one_is_not_found(admin: Curator, hook_id: int) -> None:
    path = f"/v1/webhooks/{hook_id}"
    assert_problem(admin.client.get(path, headers=admin.auth("admin")), 404, "not-found")
    assert_problem(admin.client.get(f"{path}/deliveries", headers=admin.auth("admin")), 404, "not-found")
    assert_problem(admin.write("PATCH", path, {"enabled": False}, key="admin"), 404, "not-found")
    assert_problem(admin.write("DELETE", path, key="admin"), 404, "not-found")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"url": HOOK, "themes": ["no-such-theme"]}, "unknown-filter-value"),
        ({"url": HOOK, "entities": ["Nobody Inc"]}, "unknown-filter-value"),
        ({"url": HOOK, "types": ["webhook"]}, "invalid-request"),
        ({"url": "ftp://example.org/hook"}, "invalid-request"),
        ({"url": HOOK, "secret": "mine"}, "invalid-request"),
        ({"url": HOOK, "since": -1}, "invalid-request"),
    ],
)
def test_a_bad_registration_is_refused_and_registers_nothing(
    admin: Curator, body: Json, problem: str
) -> None:
    assert_problem(admin.write("POST", "/v1/webhooks", body, key="admin"), 422, problem)
    assert _hooks(admin) == 0


def test_webhooks_need_an_admin_key(admin: Curator) -> None:
    assert_problem(admin.client.get("/v1/webhooks"), 401, "unauthorized")
    assert_problem(admin.write("POST", "/v1/webhooks", {"url": HOOK}, key="write"), 403, "forbidden")
    assert_problem(admin.write("GET", "/v1/webhooks/1", key="revoked"), 401, "unauthorized")
    assert _hooks(admin) == 0


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("?theme=no-such-theme", {}, "unknown-filter-value"),
        ("?entity=Nobody%20Inc", {}, "unknown-filter-value"),
        ("?type=webhook", {}, "unknown-filter-value"),
        ("", {"Last-Event-ID": "not-a-number"}, "invalid-request"),
        ("?since=-1", {}, "invalid-request"),
    ],
)
def test_the_stream_refuses_bad_parameters_before_streaming(
    admin: Curator, query: str, headers: dict[str, str], status: str
) -> None:
    assert_problem(admin.client.get(f"/v1/changes/stream{query}", headers=headers), 422, status)


def test_filters_pick_changes_by_type_entity_and_theme(admin: Curator) -> None:
    with admin.database.read() as connection:
        start = last_change_id(connection)
    claim = admin.client.get("/v1/claims", params={"entity": "daraz", "limit": 1}).json()["data"][0]
    theme = claim["themes"][0]["slug"]
    note = {"note": "Another source says so.", "sources": [{"title": "A source"}]}
    assert admin.write("POST", f"/v1/claims/{claim['id']}/context", note).status_code == 201
    patched = admin.write(
        "PATCH", f"/v1/themes/{theme}", {"name": "Renamed"}, key="admin", if_match="current"
    )
    assert patched.status_code == 200, patched.text
    with admin.database.read() as connection:
        note_change, theme_change = changes_after(connection, start)

        def picked(**given: list[str]) -> list[str]:
            wanted = resolve_filter(
                connection, given.get("types", []), given.get("entities", []), given.get("themes", [])
            )
            return [change.change.type for change in (note_change, theme_change) if wanted.matches(change)]

        assert picked() == ["note", "theme"]
        assert picked(types=["note"]) == ["note"]
        assert picked(entities=["Daraz.pk"]) == ["note"]  # the note's claim names Daraz
        assert picked(themes=[theme]) == ["note", "theme"]
        assert picked(themes=[theme], types=["theme"]) == ["theme"]
        assert picked(entities=["careem"], themes=[theme]) == (
            ["note"] if "careem" in {e["slug"] for e in claim["entities"]} else []
        )
    assert ChangeFilter().matches(theme_change)


def test_a_signature_verifies_only_with_its_secret_body_and_a_fresh_timestamp() -> None:
    body = b'{"id":1}'
    headers = signed_headers("whsec_a", 3, 1, body, now=1_000_000)
    assert headers["Idempotency-Key"] == "3-1"
    assert headers["SectorFacts-Signature"] == signature("whsec_a", 1_000_000, body)
    assert verify("whsec_a", headers, body, now=1_000_100)
    assert not verify("whsec_b", headers, body, now=1_000_100)
    assert not verify("whsec_a", headers, b'{"id":2}', now=1_000_100)
    assert not verify("whsec_a", headers, body, now=1_000_000 + 301)  # a replay, too late


def test_one_holder_at_a_time_holds_a_lease(admin: Curator) -> None:
    database = admin.database
    assert leases.acquire(database, "job", "first", 60)
    assert leases.acquire(database, "job", "first", 60)  # renewed
    assert not leases.acquire(database, "job", "second", 60)
    leases.release(database, "job", "first")
    assert leases.acquire(database, "job", "second", 0.01)
    assert not leases.acquire(database, "job", "first", 60)
    time.sleep(0.05)  # expired: another may take it
    assert leases.acquire(database, "job", "first", 60)
