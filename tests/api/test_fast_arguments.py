"""Hand-parsed arguments (app.api.fast_arguments) answer exactly what FastAPI's own parsing answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from app.api import fast_arguments as fast
from app.config import Settings
from app.main import create_app
from tests.conftest import BASE_URL

# Request headers that differ between any two answers whatever parsed them.
PER_REQUEST = {"x-request-id", "date"}


@pytest.fixture(scope="module")
def framework_client(seeded_url: str) -> Iterator[TestClient]:
    """The same app with every argument parsed by FastAPI."""
    settings = Settings(database_url=seeded_url, inline_read_budget_ms=1000, fast_arguments=False)
    with TestClient(create_app(settings), base_url=BASE_URL) as test_client:
        yield test_client


def _answer(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url, headers=headers)
    kept = {name: value for name, value in response.headers.items() if name not in PER_REQUEST}
    return response.status_code, kept, response.content


def assert_same_answer(
    client: TestClient, framework_client: TestClient, url: str, headers: dict[str, str] | None = None
) -> None:
    headers = headers or {}
    assert _answer(client, url, headers) == _answer(framework_client, url, headers), url


PLAIN_AND_ODD = [
    "/v1/claims",
    "/v1/claims?theme=freelancing-exports",
    "/v1/claims?theme=freelancing-exports&entity=careem&limit=3",
    "/v1/claims?theme=freelancing-exports-exports,startups-entrepreneurship&kind=fact&limit=100",
    "/v1/claims?entity=Careem&entity=daraz&document=pakistan-it-sector",
    "/v1/claims?q=freelancers&limit=5",
    "/v1/claims?q=freelancers&sort=position",
    "/v1/claims?format=csv&theme=freelancing-exports",
    "/v1/claims?format=ndjson",
    "/v1/claims?format=jsonld&limit=2",
    "/v1/claims?theme=",
    "/v1/claims?theme=no-such-theme",
    "/v1/claims?limit=0",
    "/v1/claims?limit=101",
    "/v1/claims?limit=-1",
    "/v1/claims?limit=1e3",
    "/v1/claims?limit=%EF%BC%93",  # a fullwidth digit
    "/v1/claims?limit=",
    "/v1/claims?limit=2&limit=3",
    "/v1/claims?cursor=",
    "/v1/claims?cursor=not-a-cursor",
    "/v1/claims?cursor=" + "x" * 513,
    "/v1/claims?sort=best",
    "/v1/claims?format=xml",
    "/v1/claims?q=",
    "/v1/claims?q=%22unclosed",
    "/v1/claims?q=" + "word+" * 200,
    "/v1/claims?kind=rumour",
    "/v1/claims?unknown=1&limit=2",
    "/v1/claims/pkit-038",
    "/v1/claims/no-such-claim",
    "/v1/claims/" + "x" * 101,
    "/v1/entities/careem",
    "/v1/entities/CAREEM",
    "/v1/entities/no-such-entity",
    "/v1/entities/" + "x" * 201,
    "/v1/search?q=careem",
    "/v1/search?q=careem&type=claim,entity&limit=3",
    "/v1/search?q=careem&type=nonsense",
    "/v1/search",
    "/v1/search?q=",
    "/v1/search?q=careem&q=daraz",
    "/v1/search?q=careem&limit=0",
    # Paths the hot routes' patterns also match, which FastAPI gives to other routes.
    "/v1/claims/facets",
    "/v1/claims/facets?theme=freelancing-exports&size=2",
    "/v1/claims/pkit-038/cite",
    "/v1/claims/",
    "/v1/entities/careem/claims?limit=2",
    "/v1/entities",
]


@pytest.mark.parametrize("url", PLAIN_AND_ODD)
def test_plain_and_odd_requests_answer_the_same_either_way(
    client: TestClient, framework_client: TestClient, url: str
) -> None:
    assert_same_answer(client, framework_client, url)


@pytest.mark.parametrize(
    "accept", ["text/csv", "application/x-ndjson", "application/ld+json", "text/html, */*;q=0.1", "image/png"]
)
def test_negotiated_formats_answer_the_same_either_way(
    client: TestClient, framework_client: TestClient, accept: str
) -> None:
    assert_same_answer(client, framework_client, "/v1/claims?limit=2", {"Accept": accept})


def test_conditional_and_compressed_answers_are_the_same_either_way(
    client: TestClient, framework_client: TestClient
) -> None:
    etag = client.get("/v1/claims/pkit-038").headers["etag"]
    assert_same_answer(client, framework_client, "/v1/claims/pkit-038", {"If-None-Match": etag})
    assert_same_answer(client, framework_client, "/v1/claims?limit=50", {"Accept-Encoding": "gzip"})


PARAMETERS = ["theme", "entity", "document", "kind", "q", "sort", "format", "limit", "cursor", "type"]
VALUES = [
    "freelancing-exports",
    "challenges",
    "careem",
    "daraz",
    "fact",
    "opinion",
    "pakistan-it-sector",
    "relevance",
    "position",
    "json",
    "csv",
    "1",
    "20",
    "100",
    "0",
    "-5",
    "",
    "a,b",
    "startups-entrepreneurship,freelancing-exports",
    '"quoted phrase"',
    "NOT",
    "claim",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/v1/claims", "/v1/search"]),
    pairs=st.lists(st.tuples(st.sampled_from(PARAMETERS), st.sampled_from(VALUES)), max_size=5),
)
def test_any_mix_of_parameters_answers_the_same_either_way(
    client: TestClient, framework_client: TestClient, path: str, pairs: list[tuple[str, str]]
) -> None:
    query = "&".join(f"{name}={quote(value)}" for name, value in pairs)
    assert_same_answer(client, framework_client, f"{path}?{query}" if query else path)


def _request(query: str, path_params: dict[str, str] | None = None) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": query.encode(),
            "headers": [],
            "path_params": path_params or {},
            "app": None,
        }
    )


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=2&limit=3", "limit=", "cursor=", "sort=best", "format=xml", "q=", "limit=%EF%BC%93"],
)
def test_the_claim_list_parser_leaves_anything_unusual_to_fastapi(query: str) -> None:
    assert fast.claim_list(_request(query)) is None


def test_the_search_parser_leaves_a_missing_query_to_fastapi() -> None:
    assert fast.search(_request("limit=3")) is None
    assert fast.search(_request("q=careem&q=daraz")) is None


def test_plain_requests_skip_fastapis_dependency_solving(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[str] = []
    solve = fastapi.routing.solve_dependencies  # type: ignore[attr-defined]

    async def counting(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["request"].url.path)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    for url in ("/v1/claims?theme=freelancing-exports&limit=2", "/v1/claims/pkit-038", "/v1/search?q=careem"):
        assert client.get(url).status_code == 200
    assert solved == []
    assert client.get("/v1/claims?limit=0").status_code == 422  # left to FastAPI
    assert solved == ["/v1/claims"]


def test_hot_routes_keep_the_route_template_for_metrics_and_logs(client: TestClient) -> None:
    client.get("/v1/claims/pkit-038")
    client.get("/v1/entities/careem")
    metrics = client.get("/metrics").text
    assert 'route="/v1/claims/{claim_id}"' in metrics
    assert 'route="/v1/entities/{key}"' in metrics


@settings(max_examples=300, deadline=None)
@given(query=st.text(alphabet="ab=&%+;,é 2F", max_size=30))
def test_query_values_are_read_as_starlette_reads_them(query: str) -> None:
    request = _request("")
    request.scope["query_string"] = query.encode("utf-8")
    expected: dict[str, list[str]] = {}
    for name, value in Request(request.scope).query_params.multi_items():
        expected.setdefault(name, []).append(value)
    assert fast.query_values(request) == expected
