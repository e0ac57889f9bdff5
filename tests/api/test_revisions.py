"""Revisions as strong ETags, If-Match on every edit, and concurrent edits: exactly one wins."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from app.config import Settings
from app.db import create_database
from app.main import create_app
from app.schemas.writes import ClaimPatch
from app.services.annotations import SeedData
from app.services.tables import THEME
from app.services.writes import claims
from app.services.writes.errors import PreconditionFailed
from app.services.writes.revisions import matches
from app.services.writes.transaction import Actor
from tests.api.support import assert_problem, get_json
from tests.curation import Curator
from tests.databases import engine_under_test

EDITS = [
    ("/v1/claims/pkit-038", {"statement": "Careem is homegrown."}),
    ("/v1/themes/outlook", {"description": "Where the sector is heading."}),
    ("/v1/entities/careem", {"description": "A ride-hailing company."}),
    ("/v1/documents/pakistan-it-sector", {"publisher": "Someone"}),
    ("/v1/notes/1", {"note": "Corrected."}),
    ("/v1/relations/1", {"note": "A corrected note."}),
]


@pytest.mark.parametrize(("path", "body"), EDITS)
def test_every_editable_resource_has_a_strong_etag_that_each_edit_changes(
    curator: Curator, path: str, body: dict[str, str]
) -> None:
    first = curator.client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"]
    assert re.fullmatch(r'"[a-z]+-[a-z0-9-]+-r1-[0-9a-f]{16}"', first), first  # strong: no W/
    response = curator.write("PATCH", path, body, if_match=first)
    assert response.status_code == 200, response.text
    second = response.headers["etag"]
    assert "-r2-" in second
    assert curator.client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"] == second


@pytest.mark.parametrize(("path", "body"), EDITS)
def test_patch_and_delete_need_if_match(refusing_curator: Curator, path: str, body: dict[str, str]) -> None:
    assert_problem(refusing_curator.write("PATCH", path, body), 428, "precondition-required")
    if not path.startswith("/v1/documents"):
        assert_problem(refusing_curator.write("DELETE", path, key="admin"), 428, "precondition-required")


@pytest.mark.parametrize(("path", "body"), EDITS)
def test_a_stale_or_weak_if_match_answers_412_with_the_current_etag(
    refusing_curator: Curator, path: str, body: dict[str, str]
) -> None:
    current = refusing_curator.client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"]
    stale = current.replace("-r1-", "-r0-")
    for if_match in [stale, f"W/{current}", '"something-else"', current.strip('"')]:
        problem = assert_problem(refusing_curator.write("PATCH", path, body, if_match=if_match), 412)
        assert problem["type"] == "/problems/precondition-failed"
        assert problem["current_etag"] == current


SAME = [
    ("/v1/claims/pkit-038", "statement"),
    ("/v1/claims/pkit-038", "themes"),
    ("/v1/themes/outlook", "description"),
    ("/v1/entities/careem", "aliases"),
    ("/v1/documents/pakistan-it-sector", "title"),
    ("/v1/notes/1", "note"),
    ("/v1/notes/1", "sources"),
    ("/v1/relations/1", "note"),
    ("/v1/relations/1", "type"),
]


@pytest.mark.parametrize(("path", "field"), SAME)
def test_an_edit_that_changes_nothing_spends_no_revision_and_logs_nothing(
    curator: Curator, path: str, field: str
) -> None:
    etag = curator.client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"]
    value = get_json(curator.client, path)[field]
    if field == "themes":
        value = [theme["slug"] for theme in value]
    response = curator.write("PATCH", path, {field: value}, if_match=etag)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == etag
    assert curator.client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"] == etag
    assert curator.change_count() == 0


def test_a_change_nested_in_a_resource_changes_its_etag(curator: Curator) -> None:
    # Renaming a theme changes how its claims read, so their ETags (strong validators) change too.
    claim = curator.etag("/v1/claims/pkit-001")
    response = curator.write(
        "PATCH", "/v1/themes/sector-growth", {"name": "Sector growth"}, if_match="current"
    )
    assert response.status_code == 200
    assert curator.etag("/v1/claims/pkit-001") != claim
    assert_problem(curator.write("PATCH", "/v1/claims/pkit-001", {"kind": "fact"}, if_match=claim), 412)


def test_the_etag_also_validates_conditional_gets(refusing_curator: Curator) -> None:
    client = refusing_curator.client
    etag = client.get("/v1/themes/outlook").headers["etag"]
    assert client.get("/v1/themes/outlook", headers={"If-None-Match": etag}).status_code == 304


def test_if_match_lists_star_and_content_coded_etags() -> None:
    etag = '"claim-pkit-038-r2-0123456789abcdef"'
    assert matches(etag, etag)
    assert matches('"x", ' + etag, etag)
    assert matches("*", etag)
    assert matches('"claim-pkit-038-r2-0123456789abcdef-gzip"', etag)
    assert not matches("W/" + etag, etag)
    assert not matches('"claim-pkit-038-r1-0123456789abcdef"', etag)
    assert not matches('"claim-pkit-038-r2-0123456789abcdef-evil"', etag)


def test_two_concurrent_patches_exactly_one_wins(curator: Curator) -> None:
    etag = curator.etag("/v1/claims/pkit-038")
    start = threading.Barrier(2)

    def edit(statement: str) -> tuple[int, str]:
        start.wait(5)
        response = curator.write("PATCH", "/v1/claims/pkit-038", {"statement": statement}, if_match=etag)
        return response.status_code, statement

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(edit, ["First curator's wording.", "Second curator's wording."]))
    assert sorted(status for status, _ in outcomes) == [200, 412]
    winner = next(statement for status, statement in outcomes if status == 200)
    assert get_json(curator.client, "/v1/claims/pkit-038")["statement"] == winner
    history = get_json(curator.client, "/v1/claims/pkit-038/history")["data"]
    assert [change["after"]["statement"] for change in history] == [winner]


def test_racing_writers_in_the_service_never_both_win(curator: Curator) -> None:
    """Many threads, all holding the same revision, edit at once: one wins, every other is told (412)."""
    etag = curator.etag("/v1/claims/pkit-038")
    actor = Actor(key_id=None, key_name="race")
    start = threading.Barrier(8)

    def edit(number: int) -> str:
        start.wait(5)
        try:
            claims.update_claim(
                curator.database, actor, "pkit-038", etag, ClaimPatch(statement=f"Wording {number}.")
            )
        except PreconditionFailed:
            return "412"
        return "won"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(edit, range(8)))
    assert sorted(outcomes) == ["412"] * 7 + ["won"]
    assert curator.change_count() == 1


sqlite_only = pytest.mark.skipif(engine_under_test() != "sqlite", reason="SQLite locking")


@sqlite_only
def test_a_locked_sqlite_database_answers_503_with_retry_after_never_locked(curator: Curator) -> None:
    url = curator.database.url.render_as_string(hide_password=False)
    impatient = create_app(Settings(database_url=url, sqlite_busy_timeout_ms=200))
    holder = create_database(Settings(database_url=url))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.write() as connection:
            connection.execute(insert(THEME).values(slug="held", name="Held", description="H.", position=99))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with TestClient(impatient, raise_server_exceptions=False) as client:
            body = {"note": "N.", "sources": [{"title": "S"}]}
            response = client.post("/v1/claims/pkit-001/context", json=body, headers=curator.auth())
    finally:
        release.set()
        thread.join(10)
        holder.dispose()
    problem = assert_problem(response, 503, "service-unavailable")
    assert response.headers["retry-after"].isdigit()
    assert "locked" not in response.text.lower()
    assert "locked" not in problem["detail"]


def _patch_in_threads(count: int, write: Callable[[int], int]) -> list[int]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(write, range(count)))


def _unrelated_claims(seed: SeedData, count: int) -> list[str]:
    """`count` claims none of which is related to another: an edit of a claim changes the answers (and
    so the ETags) of the claims related to it, which are then not different resources to write."""
    related: dict[str, set[str]] = {}
    for relation in seed.annotations.relations:
        related.setdefault(relation.subject, set()).add(relation.object)
        related.setdefault(relation.object, set()).add(relation.subject)
    chosen: list[str] = []
    for claim in seed.annotations.claims:
        if not related.get(claim.id, set()) & set(chosen):
            chosen.append(claim.id)
    assert len(chosen) >= count
    return chosen[:count]


def test_writes_on_different_resources_all_succeed_at_once(curator: Curator, seed_data: SeedData) -> None:
    chosen = _unrelated_claims(seed_data, 8)

    def edit(number: int) -> int:
        path = f"/v1/claims/{chosen[number]}"
        return curator.write(
            "PATCH", path, {"statement": f"Edited {number}."}, if_match="current"
        ).status_code

    assert _patch_in_threads(8, edit) == [200] * 8
    assert curator.change_count() == 8
