"""Shared definitions move to components/ once, and one name never stands for two definitions."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.openapi_components import share_components, shared

PARAMETER = {"name": "limit", "in": "query", "schema": {"type": "integer"}}


def _document(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"paths": {f"/{index}": {"get": operation} for index, operation in enumerate(operations)}}


def _operation(answer: dict[str, Any], *parameters: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": list(parameters), "responses": {"200": {"description": "OK"}, "500": answer}}


def test_a_shared_answer_is_declared_once_with_its_headers_and_examples() -> None:
    header = shared("X-Id", {"schema": {"type": "string"}})
    example = shared("oops", {"value": {"detail": "oops"}})
    answer = {
        "description": "Failed.",
        "headers": {"X-Id": header},
        "content": {"application/problem+json": {"examples": {"oops": example}}},
    }
    document = _document(_operation(shared("Failed", answer)), _operation(shared("Failed", answer)))
    share_components(document)
    for item in document["paths"].values():
        assert item["get"]["responses"]["500"] == {"$ref": "#/components/responses/Failed"}
        assert item["get"]["responses"]["200"] == {"description": "OK"}
    components = document["components"]
    assert components["responses"]["Failed"]["headers"] == {"X-Id": {"$ref": "#/components/headers/X-Id"}}
    assert components["headers"]["X-Id"] == {"schema": {"type": "string"}}
    assert components["examples"]["oops"] == {"value": {"detail": "oops"}}
    assert "x-component" not in str(document)


def test_one_name_for_two_definitions_is_refused() -> None:
    first = shared("Failed", {"description": "Failed."})
    second = shared("Failed", {"description": "Failed differently."})
    with pytest.raises(ValueError, match="components/responses/Failed"):
        share_components(_document(_operation(first), _operation(second)))


def test_a_repeated_parameter_is_declared_once_under_its_name() -> None:
    other = {**PARAMETER, "schema": {"type": "integer", "maximum": 20}}
    plain = {"description": "Failed."}
    document = _document(_operation(plain, PARAMETER), _operation(plain, PARAMETER), _operation(plain, other))
    share_components(document)
    used = [item["get"]["parameters"][0] for item in document["paths"].values()]
    # The form used once keeps its place: the name stands for the repeated one.
    assert used == [{"$ref": "#/components/parameters/limit"}] * 2 + [other]
    assert document["components"]["parameters"] == {"limit": PARAMETER}
