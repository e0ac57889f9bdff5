"""GET /healthz and /readyz."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.services import migrations
from tests.api.support import assert_problem, get_json
from tests.databases import engine_under_test


def test_healthz_answers_200_ok(client: TestClient) -> None:
    assert get_json(client, "/healthz") == {"status": "ok"}


def test_readyz_answers_200_on_the_migrated_seeded_database(client: TestClient) -> None:
    assert get_json(client, "/readyz") == {
        "status": "ready",
        "database": engine_under_test(),
        "revision": migrations.head_revision(),
    }


def test_readyz_answers_503_problem_on_an_unmigrated_database(fresh_url: str) -> None:
    with TestClient(create_app(Settings(database_url=fresh_url))) as empty:
        response = empty.get("/readyz")
        body = assert_problem(response, 503, "service-unavailable")
        assert "migrate" in body["detail"]
        assert response.headers["retry-after"].isdigit()
        assert get_json(empty, "/healthz") == {"status": "ok"}, "liveness does not need the database"
