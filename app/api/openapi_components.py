"""What many operations repeat, declared once under components/ and referenced with `$ref`.

A shared response, header or example is written where it is used, marked with its component's name
(`shared`). build_openapi calls share_components last, once every operation has all its statuses and
headers, so each shared definition is complete when it moves to components/ and a reference replaces it.
Parameters need no mark: one that several operations repeat identically is shared under its own name.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Any

# The component's name travels with its definition through FastAPI (which keeps `x-` fields) and is
# removed when the definition moves to components/.
COMPONENT_NAME = "x-component"
# A claim list's formats other than JSON: Media Type Objects kept beside the response's `content` (see
# app/api/formats.py), so typed clients type the 200 as JSON while the document still describes them.
OTHER_FORMATS = "x-other-formats"
# What OpenAPI allows as a component's name; a parameter named otherwise stays where it is.
_COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9._-]+$")


def shared(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """The definition, marked to be declared once as component `name` and referenced where it is used."""
    return {**definition, COMPONENT_NAME: name}


def reference(kind: str, name: str) -> dict[str, Any]:
    """A reference to components/`kind`/`name`."""
    return {"$ref": f"#/components/{kind}/{name}"}


def declare(components: dict[str, Any], kind: str, name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """Declare `definition` as components/`kind`/`name` and return a reference to it.

    Raises ValueError when that name is already declared with another definition: one name, one meaning.
    """
    declared = components.setdefault(kind, {})
    if declared.setdefault(name, definition) != definition:
        raise ValueError(f"components/{kind}/{name} has two definitions: {declared[name]} and {definition}")
    return reference(kind, name)


def _declared_if_shared(components: dict[str, Any], kind: str, definition: dict[str, Any]) -> dict[str, Any]:
    if COMPONENT_NAME not in definition:
        return definition
    unmarked = {key: value for key, value in definition.items() if key != COMPONENT_NAME}
    return declare(components, kind, definition[COMPONENT_NAME], unmarked)


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for path_item in schema.get("paths", {}).values() for operation in path_item.values()]


def media_types(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A response's Media Type Objects by media type: its `content` and its other formats."""
    return {**response.get("content", {}), **response.get(OTHER_FORMATS, {})}


def _share_answer(components: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    # Headers and examples first: a shared response is declared with references to them.
    for media in media_types(answer).values():
        if "examples" in media:
            media["examples"] = {
                name: _declared_if_shared(components, "examples", example)
                for name, example in media["examples"].items()
            }
    if "headers" in answer:
        answer["headers"] = {
            name: _declared_if_shared(components, "headers", header)
            for name, header in answer["headers"].items()
        }
    return _declared_if_shared(components, "responses", answer)


def _canonical(parameter: dict[str, Any]) -> str:
    return json.dumps(parameter, sort_keys=True)


def _share_parameters(schema: dict[str, Any], components: dict[str, Any]) -> None:
    uses: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if "name" in parameter:
                uses[parameter["name"]][_canonical(parameter)] += 1
    # A name stands for one parameter: it is shared only when a single one of its forms is repeated (the
    # others, each used once, stay where they are).
    repeated: dict[str, str] = {}
    for name, forms in uses.items():
        forms_repeated = [form for form, count in forms.items() if count > 1]
        if len(forms_repeated) == 1 and _COMPONENT_KEY.match(name):
            repeated[name] = forms_repeated[0]
    for operation in _operations(schema):
        if "parameters" in operation:
            operation["parameters"] = [
                declare(components, "parameters", parameter["name"], parameter)
                if "name" in parameter and repeated.get(parameter["name"]) == _canonical(parameter)
                else parameter
                for parameter in operation["parameters"]
            ]


def share_components(schema: dict[str, Any]) -> None:
    """Move marked responses, headers and examples, and repeated parameters, to components/ as references."""
    components = schema.setdefault("components", {})
    for operation in _operations(schema):
        answers: dict[str, Any] = operation.get("responses", {})
        for status, answer in answers.items():
            answers[status] = _share_answer(components, answer)
    _share_parameters(schema, components)
