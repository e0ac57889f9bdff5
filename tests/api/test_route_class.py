"""`ApiRoute` solves a route's dependencies by a plan made once, and answers exactly as FastAPI's own
solver would: same values, same 422 problems, same overrides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from app.api.deps import get_database
from app.api.route_class import ApiRoute
from app.config import Settings
from app.db import Database
from app.main import create_app
from tests.api.test_one_way_in import HOT_READS as ONE_WAY_IN_HOT_READS

HOT_READS = [
    *ONE_WAY_IN_HOT_READS,
    "/v1/themes/talent-workforce/claims?limit=3",
    "/v1/claims/facets?theme=talent-workforce",
]
# Valid and invalid requests: every answer must be the same whoever solves the dependencies.
REQUESTS = [
    *HOT_READS,
    "/v1/claims/pkit-999",
    "/v1/claims/pkit%01",
    "/v1/claims/" + "x" * 300,
    "/v1/claims?limit=0",
    "/v1/claims?limit=1000000000000000000000",
    "/v1/claims?theme=no-such-theme",
    "/v1/claims?kind=rumour&limit=-1",
    "/v1/claims?cursor=forged",
    "/v1/search?q=",
    "/v1/search?q=mobile&type=bogus",
    "/v1/entities/%01",
    "/v1/claims/facets?size=0",
    "/v1/themes/talent-workforce/claims?sort=nonsense",
]


@pytest.fixture
def app(seeded_url: str) -> Iterator[FastAPI]:
    """An app of its own on the seeded database."""
    built = create_app(Settings(database_url=seeded_url))
    yield built
    built.state.database.dispose()


def _solver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time FastAPI's general solver runs."""
    calls: list[str] = []
    solve = fastapi_routing.solve_dependencies  # type: ignore[attr-defined]

    async def counted(**arguments: Any) -> Any:
        calls.append(arguments["request"].url.path)
        return await solve(**arguments)

    monkeypatch.setattr(fastapi_routing, "solve_dependencies", counted)
    return calls


def _answer(client: TestClient, path: str) -> tuple[int, str, bytes]:
    response = client.get(path)
    return response.status_code, response.headers["content-type"], response.content


def test_every_api_route_is_an_api_route(app: FastAPI) -> None:
    routes = [context.original_route for context in iter_route_contexts(app.routes)]
    api_routes = [route for route in routes if isinstance(route, APIRoute)]
    assert len(api_routes) > 30
    assert [route.path for route in api_routes if not isinstance(route, ApiRoute)] == []


def test_the_app_matches_each_request_against_one_flat_table_of_routes(app: FastAPI) -> None:
    """Routers are taken in by `include_routes`: no nested router to match a request through twice."""
    nested = [type(route).__name__ for route in app.routes if not isinstance(route, Route | Mount)]
    assert nested == []
    paths = [route.path for route in app.routes if isinstance(route, Route)]
    # The most requested come first.
    assert paths.index("/v1/claims/{claim_id}") < paths.index("/v1/search") < paths.index("/v1/themes")


def test_the_hot_reads_never_run_fastapis_general_solver(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _solver_calls(monkeypatch)
    with TestClient(app) as client:
        for path in HOT_READS:
            assert client.get(path).status_code == 200, path
        # A route the plan does not cover (its answer is a model FastAPI serialises) still uses it.
        assert client.get("/v1/themes").status_code == 200
    assert calls == ["/v1/themes"]


def test_an_override_hands_every_route_back_to_fastapis_solver(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _solver_calls(monkeypatch)
    real = app.state.database

    async def same_database(request: Request) -> Database:
        return real  # type: ignore[no-any-return]

    app.dependency_overrides[get_database] = same_database
    with TestClient(app) as client:
        for path in HOT_READS:
            assert client.get(path).status_code == 200, path
    assert calls == [path.partition("?")[0] for path in HOT_READS]


def test_the_plan_answers_byte_for_byte_as_fastapis_solver(app: FastAPI) -> None:
    real = app.state.database

    async def same_database(request: Request) -> Database:
        return real  # type: ignore[no-any-return]

    with TestClient(app) as client:
        by_plan = [_answer(client, path) for path in REQUESTS]
        app.dependency_overrides[get_database] = same_database
        by_fastapi = [_answer(client, path) for path in REQUESTS]
    statuses = {status for status, _, _ in by_plan}
    assert {200, 404, 422} <= statuses
    for path, planned, solved in zip(REQUESTS, by_plan, by_fastapi, strict=True):
        assert planned == solved, path
