"""CORS: origins from the settings (none by default), preflights, exposed headers, no `*` with credentials."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app
from tests.api.support import assert_problem

ALLOWED = "https://app.example"
OTHER = "https://elsewhere.example"
EXPOSED = {
    "etag",
    "link",
    "x-request-id",
    "retry-after",
    "ratelimit-policy",
    "ratelimit",
}


def _preflight(client: TestClient, origin: str, method: str = "GET", headers: str | None = None) -> object:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options("/v1/claims", headers=request_headers)


@pytest.fixture(scope="module")
def cors_client(seeded_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=seeded_url, cors_origins=(ALLOWED,), cors_max_age_s=1234)
    with TestClient(create_app(settings)) as client:
        yield client


def test_no_origin_is_allowed_by_default(client: TestClient) -> None:
    response = client.get("/v1/themes", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("access-control-")]
    preflight = client.options(
        "/v1/themes", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert_problem(preflight, 405)


def test_an_allowed_origin_is_echoed_with_the_headers_scripts_may_read(cors_client: TestClient) -> None:
    response = cors_client.get("/v1/claims?limit=1", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-credentials" not in response.headers
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert exposed >= EXPOSED
    assert {"etag", "link", "x-request-id"} <= set(response.headers)


def test_another_origin_gets_no_allow_origin(cors_client: TestClient) -> None:
    response = cors_client.get("/v1/themes", headers={"Origin": OTHER})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_a_preflight_from_an_allowed_origin_is_answered(cors_client: TestClient) -> None:
    response = cors_client.options(
        "/v1/claims",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, x-request-id, authorization, if-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "GET" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "if-none-match" in allowed_headers
    assert "x-request-id" in allowed_headers
    assert "authorization" in allowed_headers
    assert response.headers["access-control-max-age"] == "1234"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [(OTHER, "GET", None), (ALLOWED, "TRACE", None), (ALLOWED, "GET", "x-secret-header")],
)
def test_a_refused_preflight_answers_a_400_problem(
    cors_client: TestClient, origin: str, method: str, headers: str | None
) -> None:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    response = cors_client.options("/v1/claims", headers=request_headers)
    body = assert_problem(response, 400)
    assert "CORS" in body["detail"]
    assert response.headers.get("access-control-allow-origin") != origin or origin == ALLOWED


def test_a_304_still_carries_cors_headers(cors_client: TestClient) -> None:
    etag = cors_client.get("/v1/themes").headers["etag"]
    response = cors_client.get("/v1/themes", headers={"Origin": ALLOWED, "If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_star_allows_any_origin_without_credentials(seeded_url: str) -> None:
    with TestClient(create_app(Settings(database_url=seeded_url, cors_origins=("*",)))) as client:
        response = client.get("/v1/themes", headers={"Origin": OTHER})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        preflight = client.options(
            "/v1/themes", headers={"Origin": OTHER, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"


def test_star_with_credentials_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError, match="cannot be combined"):
        Settings(cors_origins=("*",), cors_allow_credentials=True)


def test_credentials_name_the_origin(seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, cors_origins=(ALLOWED,), cors_allow_credentials=True)
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/themes", headers={"Origin": ALLOWED})
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-allow-credentials"] == "true"
        assert (
            "access-control-allow-origin" not in client.get("/v1/themes", headers={"Origin": OTHER}).headers
        )


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("", ()),
        ("https://a.example", ("https://a.example",)),
        ("https://a.example, https://b.example", ("https://a.example", "https://b.example")),
        ('["https://a.example", "*"]', ("https://a.example", "*")),
    ],
)
def test_origins_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, origins: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SECTORFACTS_CORS_ORIGINS", value)
    assert Settings().cors_origins == origins


@pytest.mark.parametrize("value", ["[1, 2", '{"a": 1}', "https://a.example/", "a.example", '"*"'])
def test_malformed_origins_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SECTORFACTS_CORS_ORIGINS", value)
    with pytest.raises(ValidationError):
        Settings()


def test_a_413_and_a_500_made_by_the_middleware_carry_cors_headers(seeded_url: str) -> None:
    """Answers the outermost middleware makes itself pass the same CORS policy as the app's."""
    settings = Settings(database_url=seeded_url, cors_origins=(ALLOWED,), max_body_bytes=100)
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, raise_server_exceptions=False) as client:
        too_large = client.post("/v1/themes", content=b"x" * 101, headers={"Origin": ALLOWED})
        failed = client.get("/boom", headers={"Origin": ALLOWED})
        other = client.get("/boom", headers={"Origin": OTHER})
    assert too_large.status_code == 413
    assert too_large.headers["access-control-allow-origin"] == ALLOWED
    assert failed.status_code == 500
    assert failed.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in failed.headers
    assert "access-control-allow-origin" not in other.headers
