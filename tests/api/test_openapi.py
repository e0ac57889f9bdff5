"""The OpenAPI document: summaries, descriptions, real examples, error answers, and the docs pages."""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.api import routers
from app.api.openapi import EXAMPLES_FILE
from app.config import Settings
from app.main import create_app
from tests.api.openapi_document import documented_answer, example_value, resolved
from tests.api.support import PROBLEM_JSON, get_json
from tests.record_examples import EXAMPLE_REQUESTS, UNMIGRATED_REQUESTS, answers, engine_neutral

Operation = tuple[str, str, dict[str, Any]]
# Routes whose answer is one fixed document, served at their URL, by media type.
SERVED_DOCUMENTS = {"/v1/schema/annotations": "application/json", "/v1/context.jsonld": "application/ld+json"}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = get_json(client, "/openapi.json")
    return document


def _operations(spec: dict[str, Any]) -> list[Operation]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_openapi_documents_every_public_route(spec: dict[str, Any]) -> None:
    documented = {(method, path) for method, path, _ in _operations(spec)}
    assert {
        ("GET", "/v1/claims"),
        ("GET", "/v1/claims/{claim_id}"),
        ("GET", "/v1/themes"),
        ("GET", "/v1/themes/{slug}"),
        ("GET", "/v1/themes/{slug}/claims"),
        ("GET", "/v1/entities"),
        ("GET", "/v1/entities/{key}"),
        ("GET", "/v1/entities/{key}/claims"),
        ("GET", "/v1/documents"),
        ("GET", "/v1/documents/{document_id}"),
        ("GET", "/v1/documents/{document_id}/claims"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/problems/{name}"),
    } <= documented


def test_openapi_every_route_has_a_summary_and_a_description(spec: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in _operations(spec)
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert missing == []


def _declared_routes() -> list[APIRoute]:
    routes: list[APIRoute] = []
    for module_info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"{routers.__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routes.extend(route for route in router.routes if isinstance(route, APIRoute))
    return routes


def test_every_route_declares_its_own_summary(spec: dict[str, Any]) -> None:
    # FastAPI invents a summary from the function name when a route gives none; that is not documentation.
    routes = _declared_routes()
    assert {route.path for route in routes} == set(spec["paths"])
    assert [route.path for route in routes if not (route.summary or "").strip()] == []


def test_openapi_every_200_json_answer_has_an_example(spec: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in _operations(spec)
        for media_type, content in operation["responses"].get("200", {}).get("content", {}).items()
        if "json" in media_type
        and "example" not in content
        and not content.get("examples")
        and path not in SERVED_DOCUMENTS
    ]
    assert missing == []


def test_a_route_serving_a_fixed_document_shows_no_copy_of_it(
    client: TestClient, spec: dict[str, Any]
) -> None:
    # The annotation JSON Schema and the JSON-LD context are documents in their own right: an example
    # would copy them into the contract, so their 200 describes them and their URL serves them.
    for path, media_type in SERVED_DOCUMENTS.items():
        answer = documented_answer(spec, path, "get", "200")
        assert list(answer["content"]) == [media_type]
        assert "examples" not in answer["content"][media_type]
        served = client.get(path)
        assert served.status_code == 200
        assert served.headers["content-type"].startswith(media_type)
        assert served.json()


def test_generated_titles_are_left_out_and_chosen_ones_kept(spec: dict[str, Any]) -> None:
    claim = spec["components"]["schemas"]["ClaimPublic"]
    assert claim["title"] == "ClaimPublic"
    assert [name for name, field in claim["properties"].items() if "title" in field] == []
    claim_id = spec["components"]["parameters"]["claim_id"]
    assert claim_id["name"] == "claim_id"
    assert "title" not in claim_id["schema"]


def test_openapi_error_answers_are_documented_as_problem_details(spec: dict[str, Any]) -> None:
    # The API answers every error as application/problem+json with the Problem shape; the document
    # must say so (and not promise another media type or FastAPI's default validation error body).
    wrong = []
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            content = resolved(spec, response).get("content", {})
            schema = content.get(PROBLEM_JSON, {}).get("schema", {})
            if set(content) != {PROBLEM_JSON} or schema.get("$ref") != "#/components/schemas/Problem":
                wrong.append(f"{method} {path} {status}: {json.dumps(content)[:160]}")
    assert wrong == []


def test_openapi_never_documents_the_default_validation_error_body(spec: dict[str, Any]) -> None:
    refs = json.dumps(spec["paths"])
    assert "HTTPValidationError" not in refs


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


def test_recorded_examples_are_what_the_api_answers_now(
    client: TestClient, fresh_url: str, recorded: dict[str, Any]
) -> None:
    with TestClient(create_app(Settings(database_url=fresh_url))) as empty_client:
        now = answers(client, empty_client)
    assert now.keys() == recorded.keys()
    for name, answer in now.items():
        path = {**EXAMPLE_REQUESTS, **UNMIGRATED_REQUESTS}[name]
        assert engine_neutral(path, answer) == engine_neutral(path, recorded[name]), name


@pytest.mark.parametrize(
    ("method", "path", "status", "example"),
    [
        ("get", "/v1/claims", "200", "claims_page"),
        ("get", "/v1/claims/{claim_id}", "200", "claim"),
        ("get", "/v1/themes", "200", "themes_page"),
        ("get", "/v1/themes/{slug}", "200", "theme"),
        ("get", "/v1/themes/{slug}/claims", "200", "claims_page"),
        ("get", "/v1/entities", "200", "entities_page"),
        ("get", "/v1/entities/{key}", "200", "entity"),
        ("get", "/v1/entities/{key}/claims", "200", "claims_page"),
        ("get", "/v1/documents", "200", "documents_page"),
        ("get", "/v1/documents/{document_id}", "200", "document"),
        ("get", "/v1/documents/{document_id}/claims", "200", "claims_page"),
        ("get", "/healthz", "200", "healthz"),
        ("get", "/readyz", "200", "readyz"),
        ("get", "/v1/claims/{claim_id}", "404", "problem_not_found"),
        ("get", "/v1/claims", "422", "problem_unknown_filter"),
        ("get", "/readyz", "503", "problem_unavailable"),
    ],
)
def test_openapi_examples_are_the_recorded_answers(
    spec: dict[str, Any], recorded: dict[str, Any], method: str, path: str, status: str, example: str
) -> None:
    content = documented_answer(spec, path, method, status)["content"]
    media_type = "application/json" if status == "200" else PROBLEM_JSON
    # Compared without null fields; test_openapi_examples_keep_their_null_fields checks those.
    assert _without_nulls(example_value(spec, content[media_type])) == _without_nulls(recorded[example])


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def test_openapi_examples_keep_their_null_fields(spec: dict[str, Any], recorded: dict[str, Any]) -> None:
    # An example is a real answer: a field the API always sends, even as null, must not vanish from it.
    document = documented_answer(spec, "/v1/documents/{document_id}", "get", "200")["content"][
        "application/json"
    ]
    assert example_value(spec, document) == recorded["document"]
    page = documented_answer(spec, "/v1/claims", "get", "200")["content"]["application/json"]
    assert example_value(spec, page) == recorded["claims_page"]


def test_recorded_examples_are_real_answers_of_the_seeded_data(
    client: TestClient, recorded: dict[str, Any]
) -> None:
    for name, request in EXAMPLE_REQUESTS.items():
        if name not in recorded:
            continue  # test_recorded_examples_are_what_the_api_answers_now reports a missing example
        live = engine_neutral(request, client.get(request).json())
        assert live == engine_neutral(request, recorded[name]), name
    assert recorded["claims_page"]["data"], "the claims example shows claims"
    assert recorded["problem_not_found"]["status"] == 404


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_interactive_docs_answer_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


def test_problem_members_left_out_of_answers_have_no_default(
    spec: dict[str, Any], client: TestClient
) -> None:
    # A property with a default is typed as always present by generators (openapi-typescript), so the
    # members a problem leaves out unless set have none, and are not required.
    problem = spec["components"]["schemas"]["Problem"]
    for name in ("instance", "errors"):
        assert "default" not in problem["properties"][name]
        assert name not in problem["required"]
    answer = client.get("/v1/claims/no-such-claim").json()
    assert answer["status"] == 404
    assert "instance" not in answer
    assert "errors" not in answer
