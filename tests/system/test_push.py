"""Push, through real `sectorfacts serve` processes: the change stream (server-sent events) and webhooks
delivered to a real receiver on loopback, through a receiver outage, a server restart and failures."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from app.config import Settings
from app.db import Database, create_database
from app.schemas.webhooks import WebhookCreate
from app.schemas.writes import ThemeCreate
from app.services.change_feed import last_change_id
from app.services.tables import LEASE
from app.services.webhook_signing import TIMESTAMP_HEADER, verify
from app.services.webhooks import create_webhook
from app.services.writes.themes import create_theme
from app.services.writes.transaction import CLI_INGEST
from tests.curation import make_keys, seed_database
from tests.system.push_support import EventReader, Receiver
from tests.system.support import SECTORFACTS, serving

Json = dict[str, Any]
FAST_STREAM = {"SECTORFACTS_STREAM_HEARTBEAT_S": "0.2", "SECTORFACTS_WEBHOOK_DELIVERY": "false"}
FAST_HOOKS = {
    "SECTORFACTS_WEBHOOK_POLL_INTERVAL_S": "0.05",
    "SECTORFACTS_WEBHOOK_BACKOFF_S": "0.05",
    "SECTORFACTS_WEBHOOK_BACKOFF_MAX_S": "0.2",
    "SECTORFACTS_WEBHOOK_TIMEOUT_S": "2",
    "SECTORFACTS_WEBHOOK_LEASE_S": "2",
}


@pytest.fixture
def keys(fresh_url: str) -> dict[str, str]:
    """A seeded database at `fresh_url` and a key of each scope for it."""
    database = seed_database(fresh_url)
    try:
        return make_keys(database)
    finally:
        database.dispose()


def _env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    # `serving` passes this process's environment to the server.
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def _add_theme(base: str, key: str, slug: str) -> Json:
    response = httpx2.post(
        f"{base}/v1/themes",
        json={"slug": slug, "name": slug.title(), "description": "Made by a push test."},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def _changes_since(base: str, since: int) -> list[Json]:
    response = httpx2.get(f"{base}/v1/changes", params={"since": since, "limit": 100}, timeout=10)
    assert response.status_code == 200, response.text
    changes: list[Json] = response.json()["data"]
    return changes


def _last_change_id(base: str) -> int:
    changes = _changes_since(base, 0)
    return changes[-1]["id"] if changes else 0


def test_a_stream_gets_each_change_within_a_second_and_resumes_without_a_gap(
    fresh_url: str, keys: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, FAST_STREAM)
    with serving(fresh_url, tmp_path, tmp_path / "server.log") as base:
        stream = f"{base}/v1/changes/stream"
        reader = EventReader(stream, {"Accept-Encoding": "gzip"}, changes=3)
        # Neither buffered nor compressed by the middleware: each event arrives as it is written.
        assert reader.response_headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in reader.response_headers
        seen = []
        for number in range(3):
            began = time.monotonic()
            made = _add_theme(base, keys["write"], f"push-live-{number}")
            event = reader.next_change(timeout_s=1.0)
            assert event.at - began < 1.0
            assert event.event == "change"
            assert (event.change["type"], event.change["resource_id"]) == ("theme", made["slug"])
            assert event.change["after"] == made
            seen.append(event)
        reader.join()  # the client drops the connection

        # Written while no client listens, one of them by another process (seen by polling the log).
        for number in range(3):
            _add_theme(base, keys["write"], f"push-missed-{number}")
        other = create_database(Settings(database_url=fresh_url))
        try:
            create_theme(other, CLI_INGEST, ThemeCreate(slug="push-other", name="Other", description="Else."))
        finally:
            other.dispose()
        missed = _changes_since(base, int(seen[-1].id or 0))
        assert [change["resource_id"] for change in missed][-1] == "push-other"

        # Reconnecting with the last id seen: exactly the changes after it, in order, then heartbeats.
        resumed = EventReader(stream, {"Last-Event-ID": str(seen[-1].id)}, changes=len(missed) + 1)
        got = [resumed.next_change(timeout_s=2.0) for _ in missed]
        assert [event.change for event in got] == missed
        assert [event.id for event in got] == [str(change["id"]) for change in missed]
        assert any(event.comment == "heartbeat" for event in resumed.comments(timeout_s=1.0))
        began = time.monotonic()
        _add_theme(base, keys["write"], "push-after-resume")
        assert resumed.next_change(timeout_s=1.0).at - began < 1.0
        resumed.join()


def test_a_stream_filters_by_type_theme_and_entity(
    fresh_url: str, keys: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, FAST_STREAM)
    with serving(fresh_url, tmp_path, tmp_path / "server.log") as base:
        claims = httpx2.get(f"{base}/v1/claims", params={"entity": "Daraz.pk", "limit": 100}, timeout=10)
        daraz_claim = claims.json()["data"][0]
        theme = daraz_claim["themes"][0]["slug"]
        others = httpx2.get(f"{base}/v1/claims", params={"limit": 100}, timeout=10).json()["data"]
        unrelated = next(
            claim
            for claim in others
            if theme not in {t["slug"] for t in claim["themes"]}
            and "daraz" not in {e["slug"] for e in claim["entities"]}
        )
        # Daraz named by its alias: the filter resolves it to the entity.
        query = f"type=note&theme={theme}&entity=Daraz.pk&since={_last_change_id(base)}"
        reader = EventReader(f"{base}/v1/changes/stream?{query}", changes=1)
        note = {"note": "Another source says so.", "sources": [{"title": "A source"}]}
        auth = {"Authorization": f"Bearer {keys['write']}"}
        for claim in (unrelated, daraz_claim):
            response = httpx2.post(
                f"{base}/v1/claims/{claim['id']}/context", json=note, headers=auth, timeout=10
            )
            assert response.status_code == 201, response.text
        _add_theme(base, keys["write"], "push-filtered-out")
        event = reader.next_change(timeout_s=2.0)
        assert (event.change["type"], event.change["after"]["claim_id"]) == ("note", daraz_claim["id"])
        reader.join()

        refused = httpx2.get(f"{base}/v1/changes/stream?theme=no-such-theme", timeout=10)
        assert refused.status_code == 422
        assert refused.json()["type"] == "/problems/unknown-filter-value"


def _register(base: str, admin: str, url: str, **fields: Any) -> Json:
    response = httpx2.post(
        f"{base}/v1/webhooks",
        json={"url": url, **fields},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def _get(base: str, admin: str, path: str) -> Json:
    response = httpx2.get(f"{base}{path}", headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver answering 200, listening."""
    made = Receiver()
    made.start()
    yield made
    made.stop()


def test_webhooks_deliver_every_change_once_through_an_outage_and_a_restart(
    fresh_url: str, keys: dict[str, str], receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, {**FAST_HOOKS, "SECTORFACTS_WEBHOOK_MAX_ATTEMPTS": "100"})
    with serving(fresh_url, tmp_path, tmp_path / "first.log") as base:
        hook = _register(base, keys["admin"], receiver.url, types=["theme"])
        first = [_add_theme(base, keys["write"], f"hook-{n}") for n in range(3)]
        expected = {f"{hook['id']}-{change['id']}" for change in _changes_since(base, hook["cursor"])}
        receiver.wait_for(expected, timeout_s=5)

        receiver.stop()  # the receiver goes down; changes keep coming
        first += [_add_theme(base, keys["write"], f"hook-down-{n}") for n in range(3)]
        deadline = time.monotonic() + 5
        while _get(base, keys["admin"], f"/v1/webhooks/{hook['id']}")["failures"] < 2:
            assert time.monotonic() < deadline, "no failed attempt recorded"
            time.sleep(0.05)
    # The server stops while the receiver is down: the undelivered changes wait in the log.

    with serving(fresh_url, tmp_path, tmp_path / "second.log", "--workers", "2") as base:
        receiver.start()
        later = [_add_theme(base, keys["write"], f"hook-later-{n}") for n in range(2)]
        changes = _changes_since(base, hook["cursor"])
        assert len(changes) == len(first) + len(later)
        expected = {f"{hook['id']}-{change['id']}" for change in changes}
        receiver.wait_for(expected, timeout_s=10)
        time.sleep(0.3)  # anything sent twice would have arrived by now

        # Exactly once by idempotency key (and, with one deliverer holding the lease, once at all).
        assert sorted(item.key for item in receiver.received) == sorted(expected)
        assert [item.change for item in receiver.received] == changes  # in log order
        for item in receiver.received:
            assert verify(
                hook["secret"],
                {
                    TIMESTAMP_HEADER: item.headers["sectorfacts-timestamp"],
                    "SectorFacts-Signature": item.headers["sectorfacts-signature"],
                },
                item.body,
            )
        forged = receiver.received[0]
        assert not verify(
            "whsec_wrong",
            {
                TIMESTAMP_HEADER: forged.headers["sectorfacts-timestamp"],
                "SectorFacts-Signature": forged.headers["sectorfacts-signature"],
            },
            forged.body,
        )

        state = _get(base, keys["admin"], f"/v1/webhooks/{hook['id']}")
        assert "secret" not in state
        assert (state["enabled"], state["failures"], state["cursor"]) == (True, 0, changes[-1]["id"])
        attempts = _get(base, keys["admin"], f"/v1/webhooks/{hook['id']}/deliveries?limit=100")["data"]
        failed = [attempt for attempt in attempts if not attempt["succeeded"]]
        assert failed
        assert all(attempt["status_code"] is None and attempt["error"] for attempt in failed)
        succeeded = [attempt for attempt in attempts if attempt["succeeded"]]
        assert sorted(attempt["change_id"] for attempt in succeeded) == [change["id"] for change in changes]
        assert max(attempt["attempt"] for attempt in succeeded) > 1  # the outage's changes were retried


def test_a_hook_that_keeps_failing_is_disabled_and_reported_then_resumes_when_enabled(
    fresh_url: str, keys: dict[str, str], receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, {**FAST_HOOKS, "SECTORFACTS_WEBHOOK_MAX_ATTEMPTS": "3"})
    receiver.status = 500
    log = tmp_path / "server.log"
    with serving(fresh_url, tmp_path, log) as base:
        hook = _register(base, keys["admin"], receiver.url)
        _add_theme(base, keys["write"], "hook-failing")
        path = f"/v1/webhooks/{hook['id']}"
        deadline = time.monotonic() + 5
        while (state := _get(base, keys["admin"], path))["enabled"]:
            assert time.monotonic() < deadline, "the hook was never disabled"
            time.sleep(0.05)
        assert state["failures"] == 3
        assert "3 failed attempts" in (state["disabled_reason"] or "")
        attempts = _get(base, keys["admin"], f"{path}/deliveries")["data"]
        assert [(a["attempt"], a["status_code"], a["succeeded"]) for a in attempts] == [
            (3, 500, False),
            (2, 500, False),
            (1, 500, False),
        ]
        assert len(receiver.received) == 3
        assert f"Webhook {hook['id']}" in log.read_text()
        assert "disabled" in log.read_text()

        # Fixed and enabled again: the change it failed on is delivered, nothing lost.
        receiver.status = 200
        response = httpx2.patch(
            f"{base}{path}",
            json={"enabled": True},
            headers={"Authorization": f"Bearer {keys['admin']}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert (response.json()["enabled"], response.json()["failures"]) == (True, 0)
        change_id = attempts[0]["change_id"]
        receiver.wait_for({f"{hook['id']}-{change_id}"}, timeout_s=5)


def test_sectorfacts_deliver_delivers_alone_and_gives_its_lease_up_when_stopped(
    fresh_url: str, keys: dict[str, str], receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, FAST_HOOKS)
    database = create_database(Settings(database_url=fresh_url))
    try:
        hook = create_webhook(database, WebhookCreate(url=receiver.url), "test")
        create_theme(database, CLI_INGEST, ThemeCreate(slug="push-cli", name="Cli", description="Made."))
        change_id = last_change_id_of(database)
        with (tmp_path / "deliver.log").open("wb") as log:
            process = subprocess.Popen(
                [str(SECTORFACTS), "deliver"],
                env={**os.environ, "SECTORFACTS_DATABASE_URL": fresh_url},
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                receiver.wait_for({f"{hook.id}-{change_id}"}, timeout_s=20)
            finally:
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=10) == 0
        with database.read() as connection:
            lease = connection.execute(select(LEASE)).one()
        assert lease.expires_at < dt.datetime.now(dt.UTC)  # given up: a server may take over at once
        assert "This process delivers webhooks" in (tmp_path / "deliver.log").read_text()
    finally:
        database.dispose()


def last_change_id_of(database: Database) -> int:
    """The newest change id of `database`."""
    with database.read() as connection:
        return last_change_id(connection)
