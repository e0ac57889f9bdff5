"""OpenAPI documentation: real examples recorded from the seeded data, and every error as a problem."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.openapi_components import declare, media_types, share_components, shared
from app.api.openapi_http import document_http_behaviour
from app.schemas.common import Problem

Responses = dict[int | str, dict[str, Any]]

EXAMPLES_FILE = Path(__file__).resolve().parent / "examples.json"
PROBLEM_JSON = "application/problem+json"
# Routes name their example; build_openapi declares the recorded answer under components/examples (once,
# however many routes show it) after FastAPI has built the document (FastAPI would drop the example's null
# fields, and the examples must be real answers).
_EXAMPLE_NAME = "x-recorded-example"


@cache
def recorded_examples() -> dict[str, Any]:
    """Answers recorded from the seeded database by `python -m tests.record_examples`."""
    if not EXAMPLES_FILE.exists():
        return {}
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return loaded


def _content(media_type: str, example: str) -> dict[str, Any]:
    return {media_type: {_EXAMPLE_NAME: example}}


# Examples written by hand where the seeded database has no answer to record (the change log is empty),
# declared by build_openapi like the recorded ones so that their null fields survive.
_ILLUSTRATIVE: dict[str, Any] = {}


def illustrated(media_type: str, example: str, value: Any) -> dict[str, Any]:
    """A response's `content` showing `value`, written by hand, as its example named `example`."""
    if _ILLUSTRATIVE.setdefault(example, value) != value:
        raise ValueError(f"the example {example!r} has two values")
    return _content(media_type, example)


def ok(example: str) -> Responses:
    """The 200 answer's documentation, with the example recorded from the seeded database."""
    return {200: {"content": _content("application/json", example)}}


def _problem_doc(component: str, description: str, example: str) -> dict[str, Any]:
    return shared(component, {"description": description, "content": _content(PROBLEM_JSON, example)})


NOT_FOUND: Responses = {404: _problem_doc("NotFound", "No such resource.", "problem_not_found")}
INVALID: Responses = {
    422: _problem_doc(
        "InvalidFilters", "Invalid parameters or unknown filter values.", "problem_unknown_filter"
    )
}
UNAVAILABLE: Responses = {
    503: _problem_doc("Unavailable", "The database is unavailable.", "problem_unavailable")
}


def responses(example: str, *errors: Responses) -> Responses:
    """Documentation for a route: its 200 example plus each error answer it can give."""
    documented = ok(example)
    for error in (*errors, UNAVAILABLE):
        documented |= error
    return documented


def served_document(description: str) -> Responses:
    """The answers of a route serving one fixed document (a JSON Schema, a JSON-LD context).

    It shows no example: the example would be a copy of that document, which its URL already serves
    (`externalValue` would say so, but code generators then try to fetch that URL as a file).
    """
    return {200: {"description": description}} | UNAVAILABLE


def read_route(summary: str, example: str, *errors: Responses, model: Any = None) -> dict[str, Any]:
    """A read route's decorator arguments: its summary, documented answers and, for a route that answers
    bytes it rendered itself, the `model` those bytes follow."""
    arguments: dict[str, Any] = {"summary": summary, "responses": responses(example, *errors)}
    if model is not None:
        arguments["response_model"] = model
    return arguments


def _document_response(response: dict[str, Any], recorded: dict[str, Any]) -> None:
    for media_type, media in media_types(response).items():
        name = media.pop(_EXAMPLE_NAME, None)
        if name in recorded:
            media["examples"] = {name: shared(name, {"value": recorded[name]})}
        if media_type == PROBLEM_JSON:
            media["schema"] = {"$ref": "#/components/schemas/Problem"}


# OpenAPI links: from every answer that names an editable resource and its revision (the 201 of its
# creation, the 200 of its GET or PATCH) to the GET, PATCH and DELETE of that resource, with the answer's
# ETag as If-Match. They tell clients how the operations chain; schemathesis's stateful phase follows them.
# Item path -> (resource name, its path parameter, the body field that holds its key, the route creating it).
EDITABLE: dict[str, tuple[str, str, str, str]] = {
    "/v1/claims/{claim_id}": ("Claim", "claim_id", "id", "/v1/claims"),
    "/v1/notes/{note_id}": ("Note", "note_id", "id", "/v1/claims/{claim_id}/context"),
    "/v1/themes/{slug}": ("Theme", "slug", "slug", "/v1/themes"),
    "/v1/entities/{key}": ("Entity", "key", "slug", "/v1/entities"),
    "/v1/documents/{document_id}": ("Document", "document_id", "id", "/v1/documents"),
}
_LINK_VERBS = {"get": "Get", "patch": "Update", "delete": "Delete"}


def _link(operation_id: str, method: str, parameter: str, field: str) -> dict[str, Any]:
    parameters = {f"path.{parameter}": f"$response.body#/{field}"}
    if method != "get":
        parameters["header.if-match"] = "$response.header.ETag"
    return {"operationId": operation_id, "parameters": parameters}


def add_links(schema: dict[str, Any]) -> None:
    """Link each answer naming an editable resource to that resource's GET, PATCH and DELETE (If-Match)."""
    paths = schema["paths"]
    for item, (resource, parameter, field, creator) in EDITABLE.items():
        targets = {
            method: paths[item][method]["operationId"]
            for method in _LINK_VERBS
            if method in paths.get(item, {})
        }
        sources = [(creator, "post", "201"), (item, "get", "200"), (item, "patch", "200")]
        for path, source_method, status in sources:
            answer = paths.get(path, {}).get(source_method, {}).get("responses", {}).get(status)
            if answer is None:
                continue
            links = answer.setdefault("links", {})
            for method, operation_id in targets.items():
                if (source_method, method) != ("get", "get"):  # a PATCH may follow a PATCH: edit again
                    name = f"{_LINK_VERBS[method]}{resource}"
                    link = _link(operation_id, method, parameter, field)
                    links[name] = declare(schema.setdefault("components", {}), "links", name, link)


_PARAMETER_PLACES = frozenset({"query", "path", "header", "cookie"})


def _generated_title(name: str) -> str:
    return name.replace("_", " ").title()


def drop_generated_titles(schema: dict[str, Any]) -> None:
    """Remove the titles pydantic and FastAPI derive from a property's or parameter's own name ("claim_id"
    -> "Claim Id"): they repeat the name. Titles written on purpose (a model's, a field's `title=`) stay."""

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
            return
        if not isinstance(value, dict):
            return
        properties = value.get("properties")
        if isinstance(properties, dict):
            for name, subschema in properties.items():
                if isinstance(subschema, dict) and subschema.get("title") == _generated_title(name):
                    del subschema["title"]
        # A Parameter Object (not a schema's `properties` that happens to hold a property named "in").
        name, parameter_schema = value.get("name"), value.get("schema")
        is_parameter = value.get("in") in _PARAMETER_PLACES and isinstance(name, str)
        if is_parameter and isinstance(parameter_schema, dict):
            generated = {_generated_title(str(name)), name}
            if parameter_schema.get("title") in generated:
                del parameter_schema["title"]
        for item in value.values():
            visit(item)

    visit(schema)


def describe_parameters_once(schema: dict[str, Any]) -> None:
    """Keep a parameter's description on the Parameter Object only: FastAPI also copies it into the
    parameter's schema, which doubled every described parameter in the document."""
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                parameter_schema = parameter.get("schema", {})
                if (
                    "description" in parameter
                    and parameter_schema.get("description") == parameter["description"]
                ):
                    del parameter_schema["description"]


def document_read_security(schema: dict[str, Any], *, reads_require_key: bool) -> None:
    """State each operation's security: the writes name the key they need already; a read needs none, or
    (with SECTORFACTS_READS_REQUIRE_KEY) a key of any scope under /v1/ (app.api.auth.read_access)."""
    for path, item in schema["paths"].items():
        for operation in item.values():
            keyed = reads_require_key and path.startswith("/v1/")
            operation.setdefault("security", [{"ApiKey": []}] if keyed else [])


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document: FastAPI's, with recorded examples, problem details for every error, and links.

    What many operations repeat (error answers, headers, examples) is declared once under components/.
    """
    if app.openapi_schema:
        return app.openapi_schema
    # The server is the origin the document is served from (what OpenAPI assumes without `servers`).
    servers = [{"url": "/", "description": "This server: where this document was read from."}]
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, servers=servers
    )
    recorded = recorded_examples() | _ILLUSTRATIVE
    components = schema.setdefault("components", {})
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            answers = operation.setdefault("responses", {})
            # FastAPI documents its own validation body; this API answers every 422 as a problem.
            if PROBLEM_JSON not in answers.get("422", {}).get("content", {PROBLEM_JSON: None}):
                answers["422"] = _problem_doc("InvalidParameters", "Invalid parameters.", "problem_invalid")
            for response in answers.values():
                _document_response(response, recorded)
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    if "HTTPValidationError" not in json.dumps(schema["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    drop_generated_titles(schema)
    describe_parameters_once(schema)
    document_read_security(schema, reads_require_key=app.state.settings.reads_require_key)
    document_http_behaviour(schema, rate_limited=app.state.settings.rate_limit is not None)
    add_links(schema)
    share_components(schema)
    app.openapi_schema = schema
    return schema
