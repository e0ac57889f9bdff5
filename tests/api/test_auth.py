"""API keys: every write needs one with the right scope; reads are open unless configured; keys never leak."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.main import create_app
from app.services import api_keys
from app.services.tables import API_KEY
from tests.api.support import assert_problem
from tests.curation import Curator, curating

# Values for path parameters that name existing resources, so only the key can be what is refused.
PATH_VALUES = {
    "claim_id": "pkit-038",
    "slug": "outlook",
    "key": "careem",
    "document_id": "pakistan-it-sector",
    "note_id": "1",
    "webhook_id": "1",
}
# Writes that need more than `write` (webhooks: every route, reads too).
ADMIN_ONLY = {
    ("DELETE", "/v1/themes/{slug}"),
    ("DELETE", "/v1/entities/{key}"),
    ("POST", "/v1/webhooks"),
    ("PATCH", "/v1/webhooks/{webhook_id}"),
    ("DELETE", "/v1/webhooks/{webhook_id}"),
}


def _write_operations() -> list[tuple[str, str]]:
    # Every route the app serves, documented or not (app.routes, not only the OpenAPI document); building
    # the app connects to nothing.
    app = create_app(Settings(database_url="sqlite:///never-opened.db"))
    found = {
        (method, str(route.path))
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
        if method not in {"GET", "HEAD", "OPTIONS"}
    }
    documented: dict[str, Any] = app.openapi()["paths"]
    assert {(m.upper(), p) for p, item in documented.items() for m in item if m != "get"} <= found
    return sorted(found)


WRITES = _write_operations()


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda match: PATH_VALUES.get(match[1], "x"), path)


def test_the_walk_finds_every_write_route() -> None:
    assert len(WRITES) >= 14
    assert {("POST", "/v1/claims"), ("PATCH", "/v1/notes/{note_id}"), ("POST", "/v1/documents")} <= set(
        WRITES
    )


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_no_write_route_accepts_a_request_without_a_valid_key(
    refusing_curator: Curator, method: str, path: str
) -> None:
    client, url = refusing_curator.client, _url(path)
    before = refusing_curator.change_count()
    missing = client.request(method, url, json={}, headers={"If-Match": "*"})
    assert_problem(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == 'Bearer realm="sectorfacts"'
    for header, error in [
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_request"),
        ({"Authorization": "Bearer"}, "invalid_request"),
        ({"Authorization": "Bearer sf_not-a-key-at-all"}, "invalid_token"),
        ({"Authorization": "Bearer " + "x" * 5000}, "invalid_token"),
        (refusing_curator.auth("revoked"), "invalid_token"),
    ]:
        refused = client.request(method, url, json={}, headers={**header, "If-Match": "*"})
        assert_problem(refused, 401, "unauthorized")
        assert refused.headers["www-authenticate"] == f'Bearer realm="sectorfacts", error="{error}"'
    narrow = ["read", "write"] if (method, path) in ADMIN_ONLY else ["read"]
    for scope in narrow:
        forbidden = client.request(
            method, url, json={}, headers={**refusing_curator.auth(scope), "If-Match": "*"}
        )
        body = assert_problem(forbidden, 403, "forbidden")
        assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
        assert body["scope"] == ("admin" if (method, path) in ADMIN_ONLY else "write")
    assert refusing_curator.change_count() == before


def test_the_key_is_checked_before_the_body(refusing_curator: Curator) -> None:
    # An unknown field would be a 422; without a key nothing about the body is said.
    response = refusing_curator.client.post("/v1/claims", json={"no-such-field": 1})
    assert_problem(response, 401, "unauthorized")


def test_admin_scope_implies_write(curator: Curator) -> None:
    body = {"slug": "digital-payments", "name": "Digital payments", "description": "Wallets and rails."}
    assert curator.write("POST", "/v1/themes", body, key="admin").status_code == 201
    assert (
        curator.write("DELETE", "/v1/themes/digital-payments", key="admin", if_match="current").status_code
        == 204
    )


def test_reads_are_open_by_default(refusing_curator: Curator) -> None:
    assert refusing_curator.client.get("/v1/claims/pkit-038").status_code == 200


def test_reads_can_require_a_key_of_any_scope(fresh_url: str) -> None:
    with curating(fresh_url, reads_require_key=True) as curator:
        assert_problem(curator.client.get("/v1/claims"), 401, "unauthorized")
        assert_problem(curator.client.get("/v1/claims", headers=curator.auth("revoked")), 401)
        for scope in ("read", "write", "admin"):
            assert curator.client.get("/v1/claims", headers=curator.auth(scope)).status_code == 200
        assert curator.client.get("/healthz").status_code == 200
        assert curator.client.get("/openapi.json").status_code == 200


def test_only_a_hash_of_the_key_is_stored(curator: Curator) -> None:
    key = curator.keys["write"]
    with curator.database.read() as connection:
        rows = [tuple(row) for row in connection.execute(select(API_KEY))]
    assert key not in repr(rows)
    assert hashlib.sha256(key.encode()).hexdigest() in repr(rows)
    assert key[: api_keys.PREFIX_LENGTH] in repr(rows)


def test_a_revoked_key_stops_working_at_once(curator: Curator) -> None:
    body = {"note": "A note.", "sources": [{"title": "A source"}]}
    assert curator.write("POST", "/v1/claims/pkit-001/context", body).status_code == 201
    prefix = curator.keys["write"][: api_keys.PREFIX_LENGTH]
    assert api_keys.revoke_key(curator.database, prefix) is not None
    assert_problem(curator.write("POST", "/v1/claims/pkit-001/context", body), 401, "unauthorized")


def test_keys_never_appear_in_logs_or_answers(curator: Curator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [
        curator.write("POST", "/v1/claims/pkit-001/context", {"note": "N.", "sources": [{"title": "S"}]}),
        curator.write("POST", "/v1/claims", {"unknown": True}),
        curator.write("PATCH", "/v1/claims/pkit-001", {"statement": "S."}, if_match='"stale"'),
        curator.write("PATCH", "/v1/claims/pkit-001", {"statement": "S."}, key="read"),
        curator.write("DELETE", "/v1/claims/no-such-claim", if_match="*"),
        curator.write("POST", "/v1/claims", {}, key="revoked"),
    ]
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    for key in curator.keys.values():
        assert key not in logged
        assert key[len(api_keys.KEY_PREFIX) + 8 :] not in logged
        for answer in answers:
            assert key not in answer.text
            assert key not in repr(dict(answer.headers))


def test_key_names_and_scopes_are_checked() -> None:
    with pytest.raises(ValueError, match="scope"):
        api_keys.create_key(None, "x", "root")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        api_keys.create_key(None, "  ", "write")  # type: ignore[arg-type]


def test_authenticate_refuses_what_is_not_a_key(refusing_curator: Curator) -> None:
    database = refusing_curator.database
    assert api_keys.authenticate(database, refusing_curator.keys["write"]) is not None
    for bad in ["", "sf_", "Bearer x", "sf_é" * 10, refusing_curator.keys["write"] + "x", "sf_" + "a" * 300]:
        assert api_keys.authenticate(database, bad) is None


def test_openapi_documents_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiKey"]["scheme"].lower() == "bearer"
    operation = spec["paths"]["/v1/claims"]["post"]
    assert operation["security"] == [{"ApiKey": []}]
    assert {"401", "403", "422"} <= set(operation["responses"])
    # Reads are open: they say so (an empty list of requirements), as linters ask every operation to.
    assert spec["paths"]["/v1/claims"]["get"]["security"] == []


def test_openapi_says_reads_need_a_key_when_they_do(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", reads_require_key=True)
    paths = create_app(settings).openapi()["paths"]
    assert paths["/v1/claims"]["get"]["security"] == [{"ApiKey": []}]
    assert paths["/v1/themes/{slug}"]["get"]["security"] == [{"ApiKey": []}]
    assert paths["/healthz"]["get"]["security"] == []  # outside /v1/: liveness needs no key
