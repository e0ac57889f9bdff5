"""The fast lane (app.api.fast_lane): hot GETs answered at the app's door, with everything the stack of
middleware gives them, and everything else (or everything, when CORS or rate limits are on) left to it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Response
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import Receive, Scope, Send

from app.api.middleware.edge import REQUEST_ID_HEADER
from app.config import Settings
from app.logging import RequestIdFilter
from app.main import create_app
from app.services import claims
from tests.api.support import assert_problem
from tests.conftest import BASE_URL

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@pytest.fixture
def lane_client(seeded_url: str) -> Iterator[TestClient]:
    """An app of its own (its metrics and its stack are looked at), with the fast lane on."""
    app = create_app(Settings(database_url=seeded_url, inline_read_budget_ms=1000))
    assert app.fast_lane is not None
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as test_client:
        yield test_client


def _stack_calls(client: TestClient) -> list[str]:
    """Paths that go down the app's middleware stack from now on."""
    app: Any = client.app
    client.get("/healthz")  # builds the stack
    stack = app.middleware_stack
    calls: list[str] = []

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        await stack(scope, receive, send)

    app.middleware_stack = watched
    return calls


def test_hot_reads_skip_the_middleware_stack_and_everything_else_goes_down_it(
    lane_client: TestClient,
) -> None:
    calls = _stack_calls(lane_client)
    for url in ("/v1/claims/pkit-038", "/v1/claims?theme=freelancing-exports", "/v1/search?q=careem"):
        assert lane_client.get(url).status_code == 200
    assert lane_client.get("/v1/claims/no-such-claim").status_code == 404
    assert calls == []
    assert lane_client.get("/v1/themes").status_code == 200
    assert lane_client.get("/v1/claims?limit=0").status_code == 422  # the parser leaves it to FastAPI
    assert lane_client.delete("/v1/claims/pkit-038").status_code >= 400  # not a GET
    assert calls == ["/v1/themes", "/v1/claims", "/v1/claims/pkit-038"]


def test_a_hot_read_carries_what_the_stack_adds(lane_client: TestClient) -> None:
    answer = lane_client.get(
        "/v1/claims?theme=freelancing-exports&limit=2", headers={"X-Request-ID": "lane-1"}
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "lane-1"
    assert all(name in answer.headers for name in SECURITY_HEADERS)
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["etag"].startswith('"')
    assert 'rel="next"' in answer.headers["link"]
    again = lane_client.get(
        "/v1/claims?theme=freelancing-exports&limit=2", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    zipped = lane_client.get("/v1/claims?limit=50", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]


def test_a_request_left_to_fastapi_is_answered_once_with_one_id(
    lane_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="sectorfacts.access"):
        answer = lane_client.get("/v1/claims?limit=0")
    assert_problem(answer, 422)
    lines = [record for record in caplog.records if record.name == "sectorfacts.access"]
    assert [(record.__dict__["path"], record.__dict__["status"]) for record in lines] == [("/v1/claims", 422)]
    assert lines[0].__dict__["request_id"] == answer.headers["x-request-id"]
    # Only the scrape itself is in progress: the visit the lane opened for the request was closed.
    assert _samples(lane_client)["sectorfacts_http_requests_in_progress"] == [({}, 1.0)]


def test_an_unexpected_error_in_a_hot_read_is_a_logged_500_problem(
    lane_client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(claims, "read_claim", broken)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="sectorfacts.errors"):
        answer = lane_client.get("/v1/claims/pkit-038", headers={"X-Request-ID": "broken-1"})
    assert_problem(answer, 500, "internal-error")
    assert "fire" not in answer.text
    assert answer.headers["x-request-id"] == "broken-1"
    assert answer.headers["cache-control"] == "no-store"
    assert all(name in answer.headers for name in SECURITY_HEADERS)
    errors = [record for record in caplog.records if record.name == "sectorfacts.errors"]
    assert errors
    assert errors[0].__dict__["request_id"] == "broken-1"
    counted = {
        (labels["route"], labels["status"]): value
        for labels, value in _samples(lane_client)["sectorfacts_http_requests_total"]
    }
    assert counted[("/v1/claims/{claim_id}", "500")] == 1


def test_hot_reads_are_counted_by_route_template(lane_client: TestClient) -> None:
    for claim_id in ("pkit-002", "pkit-003", "no-such-claim"):
        lane_client.get(f"/v1/claims/{claim_id}")
    counted = {
        (labels["route"], labels["status"]): value
        for labels, value in _samples(lane_client)["sectorfacts_http_requests_total"]
    }
    assert counted[("/v1/claims/{claim_id}", "200")] == 2
    assert counted[("/v1/claims/{claim_id}", "404")] == 1


@pytest.mark.parametrize(
    ("settings", "header"),
    [
        ({"cors_origins": ("https://example.org",)}, "vary"),
        ({"rate_limit": "1000/minute", "rate_limit_storage": "memory://"}, "ratelimit-limit"),
    ],
)
def test_with_cors_or_rate_limits_hot_reads_go_down_the_stack(
    seeded_url: str, settings: dict[str, Any], header: str
) -> None:
    app = create_app(Settings(database_url=seeded_url, **settings))
    assert app.fast_lane is None
    with TestClient(app, base_url=BASE_URL) as client:
        calls = _stack_calls(client)
        answer = client.get("/v1/claims/pkit-038")
    assert answer.status_code == 200
    assert calls == ["/v1/claims/pkit-038"]
    assert header in answer.headers  # the middleware between the edge and the pipeline had its say
    assert answer.headers[REQUEST_ID_HEADER.decode()]


def _samples(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_an_answer_sent_twice_gets_the_same_headers_each_time(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    shared = Response(b'{"shared": true}' * 100, media_type="application/json")
    own_headers = list(shared.raw_headers)

    @app.get("/shared")
    async def shared_answer() -> Response:
        return shared

    with TestClient(app, base_url=BASE_URL) as client:
        first, second = client.get("/shared"), client.get("/shared")
    assert first.headers["etag"] == second.headers["etag"]
    assert [name for name, _ in first.headers.raw] == [name for name, _ in second.headers.raw]
    assert shared.raw_headers == own_headers
