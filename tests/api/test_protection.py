"""Protection: rate limits (429), body size limit (413), query time limit (503), security headers, no 5xx."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import DEFAULT_CONTENT_SECURITY_POLICY, Settings
from app.db import Database, create_database
from app.main import create_app
from tests.api.support import assert_client_error, assert_problem, get_json
from tests.databases import engine_under_test

# Counts to a billion: minutes of work for either engine, unless something stops it.
COUNT_TO = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) SELECT count(*) FROM n"
)
RUNAWAY = COUNT_TO.format(1_000_000_000)


# --- rate limiting --------------------------------------------------------------------------------------


@pytest.fixture
def limited(seeded_url: str) -> FastAPI:
    return create_app(Settings(database_url=seeded_url, rate_limit="3/minute"))


def test_no_rate_limit_by_default(client: TestClient) -> None:
    response = client.get("/v1/themes")
    assert not [name for name in response.headers if name.startswith("ratelimit")]


def _rate_limit(value: str) -> tuple[str, int, int]:
    """The `RateLimit` field (an RFC 8941 list item: a string with parameters r and t) as its parts."""
    found = re.fullmatch(r'"([a-z]+)";r=(\d+);t=(\d+)', value)
    assert found is not None, value
    return found[1], int(found[2]), int(found[3])


def test_rate_limit_counts_down_then_answers_429_problem(limited: FastAPI) -> None:
    with TestClient(limited) as client:
        for remaining in (2, 1, 0):
            response = client.get("/v1/themes")
            assert response.status_code == 200
            assert response.headers["ratelimit-policy"] == '"default";q=3;w=60'
            name, left, reset = _rate_limit(response.headers["ratelimit"])
            assert (name, left) == ("default", remaining)
            assert 0 < reset <= 60
            # The draft's fields replaced these; none is sent any more.
            assert not {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} & set(response.headers)
        refused = client.get("/v1/claims")
        body = assert_problem(refused, 429, "too-many-requests")
        assert "3 requests in 60 s" in body["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert _rate_limit(refused.headers["ratelimit"])[:2] == ("default", 0)
        assert refused.headers["x-request-id"]


def test_the_429_problem_type_is_documented(client: TestClient) -> None:
    assert get_json(client, "/problems/too-many-requests")["status"] == 429


def test_rate_limit_is_per_client_and_spares_health_and_metrics(limited: FastAPI) -> None:
    with (
        TestClient(limited, client=("10.0.0.1", 1)) as first,
        TestClient(limited, client=("10.0.0.2", 1)) as second,
    ):
        for _ in range(3):
            first.get("/v1/themes")
        assert first.get("/v1/themes").status_code == 429
        assert second.get("/v1/themes").status_code == 200
        for path in ("/healthz", "/readyz", "/metrics"):
            response = first.get(path)
            assert response.status_code == 200, path
            assert "ratelimit" not in response.headers


def test_a_bad_rate_limit_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="rate limit"):
        Settings(rate_limit="lots")


# --- request body size ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_bodies(seeded_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=seeded_url, max_body_bytes=100))) as client:
        yield client


def test_a_declared_body_over_the_limit_answers_413_problem(small_bodies: TestClient) -> None:
    response = small_bodies.post("/healthz", content=b"x" * 101)
    body = assert_problem(response, 413, "payload-too-large")
    assert body["limit"] == 100
    assert response.headers["x-request-id"]
    assert get_json(small_bodies, "/problems/payload-too-large")["status"] == 413


def test_a_chunked_body_over_the_limit_answers_413_problem(small_bodies: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 20

    assert_problem(small_bodies.post("/healthz", content=chunks()), 413, "payload-too-large")


def test_bodies_within_the_limit_reach_the_app(small_bodies: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"y" * 50
        yield b"z" * 50

    assert_problem(small_bodies.post("/healthz", content=b"x" * 100), 405)
    assert_problem(small_bodies.post("/healthz", content=chunks()), 405)


def test_a_get_body_is_never_read_so_never_refused(small_bodies: TestClient) -> None:
    assert small_bodies.request("GET", "/healthz", content=b"x" * 1000).status_code == 200


def test_the_body_limit_replays_what_it_read(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url, max_body_bytes=100))

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    def chunks() -> Iterator[bytes]:
        yield b"a" * 40
        yield b"b" * 40

    with TestClient(app) as client:
        assert client.post("/echo", content=chunks()).json() == {"length": 80}


# --- query time limit -----------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_and_answers_503_problem(seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, query_timeout_ms=200, statement_timeout_ms=200)
    app = create_app(settings)

    @app.get("/runaway")
    def runaway(request: Request) -> int:
        database: Database = request.app.state.database
        with database.read() as connection:
            return int(connection.execute(text(RUNAWAY)).scalar_one())

    with TestClient(app, raise_server_exceptions=False) as client:
        began = time.monotonic()
        response = client.get("/runaway")
        assert time.monotonic() - began < 5
        assert_problem(response, 503, "service-unavailable")
        assert response.headers["retry-after"].isdigit()
        # The connection that was interrupted serves the next request as usual.
        for _ in range(3):
            assert client.get("/v1/claims/pkit-001").status_code == 200


def test_queries_are_not_limited_when_the_timeout_is_zero(seeded_url: str) -> None:
    if engine_under_test() != "sqlite":
        pytest.skip("query_timeout_ms is SQLite's; PostgreSQL uses statement_timeout_ms")
    database = create_database(Settings(database_url=seeded_url, query_timeout_ms=0))
    short = COUNT_TO.format(200_000)
    try:
        with database.read() as connection:
            assert connection.execute(text(short)).scalar_one() == 200000
    finally:
        database.dispose()


# --- security headers -----------------------------------------------------------------------------------

SECURED_PATHS = [
    "/v1/claims?limit=1",
    "/v1/claims/nope",
    "/",
    "/docs",
    "/redoc",
    "/static/explorer.js",
    "/metrics",
]


@pytest.mark.parametrize("path", SECURED_PATHS)
def test_every_answer_has_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


def test_the_policy_comes_from_the_settings(seeded_url: str) -> None:
    policy = "default-src 'none'; frame-ancestors 'none'"
    with TestClient(create_app(Settings(database_url=seeded_url, content_security_policy=policy))) as client:
        assert client.get("/healthz").headers["content-security-policy"] == policy
    assert "unsafe-eval" not in DEFAULT_CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("value", ["no-cache\r\nX-Injected: 1", "tab\there"])
def test_header_settings_must_be_one_printable_line(value: str) -> None:
    with pytest.raises(ValueError, match="printable"):
        Settings(cache_control=value)


# --- nothing a client sends answers 5xx -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "\x7f" * 10},
        {"If-None-Match": '"' + "a" * 8000 + '"'},
        {"X-Request-ID": "\u2603" * 50},
        {"X-Request-ID": ""},
        {"Origin": "null"},
        {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
        {"Accept-Encoding": "gzip;q=abc, *;q=-1"},
        {"Accept-Encoding": "br, zstd, deflate"},
        {"Content-Length": "abc"},
        {"Host": "[::1"},
    ],
)
def test_odd_headers_never_answer_5xx(client: TestClient, headers: dict[str, str]) -> None:
    encoded = [(name.encode(), value.encode("utf-8")) for name, value in headers.items()]
    for method in ("GET", "OPTIONS", "POST"):
        response = client.request(method, "/v1/claims?limit=1", headers=encoded)
        assert response.status_code < 500, (method, headers, response.status_code)
        if response.status_code >= 400:
            assert_client_error(response)
