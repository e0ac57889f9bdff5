"""Every request goes through FastAPI's routing and Starlette's middleware: what a newcomer adds to the app
(a router-level dependency, a dependency override, a middleware, a query parameter) takes effect on every
route, the hottest reads included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from app import main
from app.api import inclusion, params
from app.api.deps import get_database
from app.api.routers import claims
from app.config import Settings
from app.db import Database
from app.schemas.claims import ClaimPage
from app.schemas.common import CLAIM_ROUTE_WORDS

# The hottest reads, as the benchmark asks them, and a few others.
HOT_READS = [
    "/v1/claims/pkit-001",
    "/v1/claims?theme=talent-workforce",
    "/v1/claims?theme=talent-workforce&entity=pakistani-diaspora",
    "/v1/search?q=mobile",
    "/v1/entities/careem",
]
CLAIM_LISTS = [
    "/v1/claims",
    "/v1/themes/talent-workforce/claims",
    "/v1/entities/careem/claims",
    "/v1/documents/pakistan-it-sector/claims",
]
OTHER_READS = ["/v1/themes", "/v1/claims/facets", "/v1/documents/pakistan-it-sector"]


@pytest.fixture
def app(seeded_url: str) -> Iterator[FastAPI]:
    """An app of its own on the seeded database, to add things to."""
    built = main.create_app(Settings(database_url=seeded_url))
    yield built
    built.state.database.dispose()


def test_a_middleware_added_to_the_app_sees_every_request(app: FastAPI) -> None:
    seen: list[str] = []

    class Recording:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen.append(scope["path"])
            await self.inner(scope, receive, send)

    app.add_middleware(Recording)
    with TestClient(app) as client:
        for path in HOT_READS + OTHER_READS:
            assert client.get(path).status_code == 200, path
    assert seen == [path.partition("?")[0] for path in HOT_READS + OTHER_READS]


def test_a_dependency_override_takes_effect_on_every_route(app: FastAPI) -> None:
    asked: list[str] = []
    real = app.state.database

    def database_counted(request: Request) -> Database:
        asked.append(request.url.path)
        return real  # type: ignore[no-any-return]

    app.dependency_overrides[get_database] = database_counted
    with TestClient(app) as client:
        for path in HOT_READS + OTHER_READS:
            assert client.get(path).status_code == 200, path
    assert asked == [path.partition("?")[0] for path in HOT_READS + OTHER_READS]


def test_a_router_level_dependency_runs_on_its_hot_routes(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def audit(request: Request) -> None:
        ran.append(request.url.path)

    include_routes = inclusion.include_routes

    def including_with_audit(app: FastAPI, router: APIRouter, **options: Any) -> None:
        # As a newcomer would write it where the factory includes the claims router.
        if router is claims.router:
            options["dependencies"] = [*options.get("dependencies", []), Depends(audit)]
        include_routes(app, router, **options)

    monkeypatch.setattr(main, "include_routes", including_with_audit)
    app = main.create_app(Settings(database_url=seeded_url))
    try:
        with TestClient(app) as client:
            for path in HOT_READS:
                assert client.get(path).status_code == 200, path
    finally:
        app.state.database.dispose()
    # The claims router's routes, and only those, ran it.
    assert ran == [path.partition("?")[0] for path in HOT_READS if path.startswith("/v1/claims")]


def test_an_app_wide_dependency_runs_on_every_hot_route(seeded_url: str) -> None:
    """Reads that need a key are an app-wide dependency: every hot read refuses a request without one."""
    app = main.create_app(Settings(database_url=seeded_url, reads_require_key=True))
    try:
        with TestClient(app) as client:
            for path in HOT_READS + CLAIM_LISTS:
                response = client.get(path)
                assert response.status_code == 401, path
                assert response.headers["content-type"] == "application/problem+json"
    finally:
        app.state.database.dispose()


def _claim_lists(app: FastAPI) -> list[Any]:
    return [
        route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute) and route.original_route.response_model == ClaimPage
    ]


def test_every_claim_list_takes_its_query_parameters_as_one_model(app: FastAPI) -> None:
    """So a parameter added to ClaimListQuery is a parameter of every claim list, parsed the same way."""
    lists = _claim_lists(app)
    assert sorted(route.path for route in lists) == sorted(
        [
            "/v1/claims",
            "/v1/themes/{slug}/claims",
            "/v1/entities/{key}/claims",
            "/v1/documents/{document_id}/claims",
        ]
    )
    for route in lists:
        dependant = route.original_route.dependant
        assert dependant.query_params == [], route.path
        assert params.CLAIM_LIST_QUERY in [sub.call for sub in dependant.dependencies], route.path


@pytest.mark.parametrize("path", CLAIM_LISTS)
def test_every_claim_list_documents_and_checks_every_field_of_the_model(app: FastAPI, path: str) -> None:
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
        template = next(p for p in spec["paths"] if _matches(p, path))
        names = {_name(spec, p) for p in spec["paths"][template]["get"]["parameters"]}
        assert set(params.ClaimListQuery.model_fields) <= names
        for name, bad in {"limit": "0", "cursor": "not a cursor!", "sort": "random", "format": "xml"}.items():
            refused = client.get(path, params={name: bad})
            assert refused.status_code == 422, (path, name)
            assert refused.json()["errors"][0]["location"] == f"query.{name}"


def _string_schemas(schema: dict[str, Any], spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas a parameter's schema allows (through anyOf, arrays and $refs)."""
    if "$ref" in schema:
        return _string_schemas(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], spec)
    found = (
        [schema] if schema.get("type") == "string" and "enum" not in schema and "format" not in schema else []
    )
    for part in schema.get("anyOf", []):
        found += _string_schemas(part, spec)
    if "items" in schema:
        found += _string_schemas(schema["items"], spec)
    return found


def test_every_path_and_query_string_states_its_length_and_pattern(app: FastAPI) -> None:
    """No route can forget the guard against control characters: the schema states it, FastAPI applies it.
    (Headers are left out: servers refuse control characters in them before the app sees them.)"""
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
                if parameter["in"] not in ("path", "query"):
                    continue
                for schema in _string_schemas(parameter["schema"], spec):
                    where = f"{method} {path} {parameter['in']}.{parameter['name']}"
                    assert "maxLength" in schema, where
                    assert "pattern" in schema, where
                    assert re.search(schema["pattern"], "a\x01b") is None, where
                    checked += 1
    assert checked > 30


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/claims", "GET, POST"),
        ("/v1/claims/pkit-001", "GET, PATCH, DELETE"),
        ("/v1/claims/pkit-001/context", "GET, POST"),
        ("/v1/themes", "GET, POST"),
        ("/v1/themes/outlook", "GET, PATCH, DELETE"),
        ("/v1/entities", "GET, POST"),
        ("/v1/entities/careem", "GET, PATCH, DELETE"),
        ("/v1/documents", "GET, POST"),
        ("/v1/documents/pakistan-it-sector", "GET, PATCH"),
        ("/v1/notes/1", "GET, PATCH, DELETE"),
        ("/healthz", "GET"),
    ],
)
def test_a_405_lists_every_method_of_the_resource(app: FastAPI, path: str, methods: str) -> None:
    with TestClient(app) as client:
        refused = client.put(path)
    assert refused.status_code == 405
    assert refused.headers["allow"] == methods
    assert refused.headers["content-type"] == "application/problem+json"


def _matches(template: str, path: str) -> bool:
    parts, given = template.split("/"), path.split("/")
    return len(parts) == len(given) and all(
        p == g or p.startswith("{") for p, g in zip(parts, given, strict=True)
    )


def _name(spec: dict[str, Any], parameter: dict[str, Any]) -> str:
    if "$ref" in parameter:
        parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
    return str(parameter["name"])


def test_no_claim_may_take_the_id_of_a_route_under_claims(app: FastAPI) -> None:
    # `GET /v1/claims/facets` shadows /v1/claims/{claim_id}: the contract and the annotations say that no
    # claim id is such a word, so a route added there must add its word to CLAIM_ROUTE_WORDS.
    words = {
        route.path.removeprefix("/v1/claims/")
        for route in app.routes
        if isinstance(route, APIRoute) and re.fullmatch(r"/v1/claims/[a-z-]+", route.path)
    }
    assert words == set(CLAIM_ROUTE_WORDS) == {"facets"}
    document = app.openapi()
    declared = document["components"]["parameters"]
    parameters = [
        declared[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter
        for parameter in document["paths"]["/v1/claims/{claim_id}"]["get"]["parameters"]
    ]
    (claim_id,) = [parameter for parameter in parameters if parameter["name"] == "claim_id"]
    assert claim_id["schema"]["not"] == {"enum": ["facets"]}
    with TestClient(app) as client:
        assert "facets" in client.get("/v1/claims/facets").json()
