"""Reading the OpenAPI document the way a client does: through its `$ref`s to components/."""

from __future__ import annotations

from typing import Any


def resolved(spec: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """`value`, or what its local `$ref` (`#/components/...`) points to, followed until it is no reference."""
    while "$ref" in value:
        target: Any = spec
        for part in value["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        value = target
    return value


def documented_answer(spec: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    """The documented answer of one operation for one status."""
    return resolved(spec, spec["paths"][path][method]["responses"][status])


def example_value(spec: dict[str, Any], media: dict[str, Any]) -> Any:
    """A media type's example: its `example`, else the value of its one named example."""
    if "example" in media:
        return media["example"]
    (named,) = media["examples"].values()
    return resolved(spec, named)["value"]


def parameters(spec: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    """An operation's parameters, each resolved."""
    return [resolved(spec, parameter) for parameter in operation.get("parameters", [])]


def references(value: Any) -> set[str]:
    """Every `$ref` in `value`, however deep."""
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(references(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(references(item) for item in value))
    return set()
