"""Observability: X-Request-ID everywhere, JSON access logs with it, Prometheus metrics, /readyz."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.logging import RequestIdFilter, json_formatter, logging_config
from app.main import create_app
from tests.api.support import assert_problem

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def observed(seeded_url: str) -> Iterator[TestClient]:
    """An app of its own, so its metrics count only this module's requests; it has a failing route."""
    app = create_app(Settings(database_url=seeded_url))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


ANSWERS = [
    ("GET", "/v1/claims/pkit-001", 200),
    ("GET", "/v1/claims/no-such-claim", 404),
    ("GET", "/v1/claims?limit=0", 422),
    ("POST", "/healthz", 405),
    ("GET", "/nowhere", 404),
    ("GET", "/boom", 500),
    ("GET", "/", 200),
    ("GET", "/static/explorer.js", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_every_answer_has_a_generated_request_id(
    observed: TestClient, method: str, path: str, status: int
) -> None:
    response = observed.request(method, path)
    assert response.status_code == status
    assert GENERATED_ID.match(response.headers["x-request-id"])


def test_a_500_is_still_a_problem_with_every_header(observed: TestClient) -> None:
    response = observed.get("/boom")
    assert_problem(response, 500, "internal-error")
    assert "secret internals" not in response.text
    assert {"x-request-id", "content-security-policy", "cache-control"} <= set(response.headers)


def test_request_ids_differ(observed: TestClient) -> None:
    ids = {observed.get("/healthz").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    "sane", ["abc", "3f2c9d1e-7b1a-4e0c-9c2e-1f2a3b4c5d6e", "trace:42/span=7", "x" * 128]
)
def test_a_sane_client_request_id_is_kept(observed: TestClient, sane: str) -> None:
    assert observed.get("/healthz", headers={"X-Request-ID": sane}).headers["x-request-id"] == sane


@pytest.mark.parametrize("insane", ["has space", "x" * 129, "<script>", "-leading-dash", "a\tb", "é"])
def test_an_insane_client_request_id_is_replaced(observed: TestClient, insane: str) -> None:
    response = observed.get("/healthz", headers=[(b"X-Request-ID", insane.encode("utf-8"))])
    assert response.status_code == 200
    assert GENERATED_ID.match(response.headers["x-request-id"])


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """What sectorfacts.access writes, formatted as `serve` formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter())
    logger = logging.getLogger("sectorfacts.access")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_access_log_is_one_json_line_with_the_request_id(
    observed: TestClient, access_log: io.StringIO
) -> None:
    headers = {"X-Request-ID": "log-check-1", "User-Agent": "t/1", "Accept-Encoding": "identity"}
    response = observed.get("/v1/claims/pkit-038?x=1", headers=headers)
    lines = [json.loads(line) for line in access_log.getvalue().splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["x-request-id"] == "log-check-1"
    assert line["logger"] == "sectorfacts.access"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/v1/claims/pkit-038"
    assert line["query"] == "x=1"
    assert line["route"] == "/v1/claims/{claim_id}"
    assert line["status"] == 200
    assert line["bytes"] == len(response.content)
    assert line["user_agent"] == "t/1"
    assert line["duration_ms"] >= line["db_ms"] > 0
    assert re.match(r"\d{4}-\d\d-\d\dT", line["time"])


def test_other_log_lines_carry_the_request_id_too(
    observed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="sectorfacts.errors")
    caplog.handler.addFilter(RequestIdFilter())
    response = observed.get("/boom", headers={"X-Request-ID": "error-check-1"})
    assert response.status_code == 500
    errors = [record for record in caplog.records if record.name == "sectorfacts.errors"]
    assert errors
    assert errors[0].__dict__["request_id"] == "error-check-1"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_server_logging_config_is_valid(log_format: str) -> None:
    config = logging_config(Settings.model_validate({"log_format": log_format, "log_level": "WARNING"}))
    configurator = logging.config.DictConfigurator(config)
    assert configurator.config["root"]["level"] == "WARNING"
    formatter = configurator.configure_formatter(config["formatters"]["default"])
    assert isinstance(formatter, logging.Formatter)
    assert config["handlers"]["default"]["filters"] == ["request_id"]


def _samples(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_count_requests_by_route_template_and_status(observed: TestClient) -> None:
    for path in ("/v1/claims/pkit-002", "/v1/claims/pkit-003", "/v1/claims/no-such-claim", "/no/such/page"):
        observed.get(path)
    samples = _samples(observed)
    requests = {
        (labels["method"], labels["route"], labels["status"]): value
        for labels, value in samples["sectorfacts_http_requests_total"]
    }
    assert requests[("GET", "/v1/claims/{claim_id}", "200")] >= 2
    assert requests[("GET", "/v1/claims/{claim_id}", "404")] >= 1
    assert requests[("GET", "<unmatched>", "404")] >= 1
    assert not [route for _, route, _ in requests if "pkit" in route or "no/such" in route]


def test_metrics_have_latency_and_database_time_histograms(observed: TestClient) -> None:
    observed.get("/v1/themes")
    samples = _samples(observed)
    latency = [
        value
        for labels, value in samples["sectorfacts_http_request_duration_seconds_count"]
        if labels["route"] == "/v1/themes"
    ]
    assert latency
    assert latency[0] >= 1
    buckets = [labels["le"] for labels, _ in samples["sectorfacts_http_request_duration_seconds_bucket"]]
    assert "+Inf" in buckets
    database = {
        labels["route"]: value for labels, value in samples["sectorfacts_http_request_database_seconds_sum"]
    }
    assert database["/v1/themes"] > 0
    assert database.get("/healthz", 0) == 0
    (queries,) = [value for _, value in samples["sectorfacts_database_query_duration_seconds_count"]]
    assert queries > 0


def test_metrics_can_be_turned_off(seeded_url: str) -> None:
    app: FastAPI = create_app(Settings(database_url=seeded_url, metrics_enabled=False))
    with TestClient(app) as client:
        assert_problem(client.get("/metrics"), 404)
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_readyz_reflects_the_database(client: TestClient, fresh_url: str) -> None:
    assert client.get("/readyz").json()["status"] == "ready"
    with TestClient(create_app(Settings(database_url=fresh_url)), raise_server_exceptions=False) as empty:
        response = empty.get("/readyz")
        assert_problem(response, 503, "service-unavailable")
        assert response.headers["retry-after"].isdigit()
        assert response.headers["cache-control"] == "no-store"
        assert GENERATED_ID.match(response.headers["x-request-id"])
