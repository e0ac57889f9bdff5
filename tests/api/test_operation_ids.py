"""Operation ids are the routes' names (`list_claims`, `get_claim`, `search`): what generated clients call
their functions, so they must be unique, snake_case and stable (a renamed route renames a client call)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.record_openapi import CONTRACT

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


@pytest.fixture(scope="module")
def committed() -> dict[tuple[str, str], str]:
    return _operations(json.loads(CONTRACT.read_text(encoding="utf-8")))


def test_every_operation_id_is_unique_and_snake_case(committed: dict[tuple[str, str], str]) -> None:
    ids = list(committed.values())
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not SNAKE_CASE.match(i)] == []


def test_every_operation_id_is_its_route_name(
    client: TestClient, committed: dict[tuple[str, str], str]
) -> None:
    routes = {
        (method, str(context.path)): context.original_route.name
        for context in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
        for method in context.methods or ()
    }
    assert routes == committed


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/v1/claims", "list_claims"),
        ("POST", "/v1/claims", "create_claim"),
        ("GET", "/v1/claims/{claim_id}", "get_claim"),
        ("PATCH", "/v1/claims/{claim_id}", "update_claim"),
        ("GET", "/v1/search", "search"),
        # The shared resource reads (app/api/resource_reads.py) are named after their resource.
        ("GET", "/v1/themes/{slug}/claims", "list_theme_claims"),
        ("GET", "/v1/entities/{key}", "get_entity"),
        ("GET", "/v1/documents", "list_documents"),
    ],
)
def test_the_names_clients_see(
    committed: dict[tuple[str, str], str], method: str, path: str, expected: str
) -> None:
    assert committed[(method, path)] == expected
