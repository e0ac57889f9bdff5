"""Query-parameter models validated in one pydantic call, as a FastAPI dependency.

`QueryModel(ClaimListQuery)` is a dependency that validates the request's query string against the
model and answers 422 problems exactly as FastAPI does (`query.<name>` locations); its `openapi_extra()`
documents the model's fields as the route's query parameters. FastAPI's own `Annotated[Model, Query()]`
does the same, but re-derives each field's shape on every request, which made it the largest cost of a
claim list (docs/performance.md).
"""

# No `from __future__ import annotations`: FastAPI reads `__call__`'s annotations as objects, and an
# instance has no module globals it could resolve a string annotation in (FastAPI 0.115 did not try).
import copy
from functools import cached_property
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def query_pairs(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text, keep_blank_values=True)`, as Starlette parses a query string; most query strings
    have nothing to unquote, and are split directly, with the same result in a fraction of its time."""
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def _is_list(schema: dict[str, Any]) -> bool:
    shapes = [schema, *schema.get("anyOf", [])]
    return any(shape.get("type") == "array" for shape in shapes)


class QueryModel(Generic[ModelT]):
    """A dependency that validates the query string as `model`, and the parameters it documents."""

    def __init__(self, model: type[ModelT]) -> None:
        self.model = model
        properties = model.model_json_schema()["properties"]
        # Repeatable parameters (theme=a&theme=b) are lists in the model; the others take the last value,
        # as FastAPI takes them.
        self.lists = frozenset(name for name, schema in properties.items() if _is_list(schema))
        self.names = tuple(model.model_fields)
        self.scalars = frozenset(self.names) - self.lists

    # `async`: it does no I/O, and FastAPI runs a plain `def` dependency in the thread pool.
    async def __call__(self, request: Request) -> ModelT:
        """The request's query parameters as the model; a 422 problem for any invalid one."""
        # The query string parsed as Starlette's `request.query_params` parses it, in one pass over the
        # parameters given rather than a lookup of each field (most of which a request leaves out).
        given: dict[str, Any] = {}
        for name, value in query_pairs(request.scope["query_string"].decode("latin-1")):
            if name in self.lists:
                given.setdefault(name, []).append(value)
            elif name in self.scalars:
                given[name] = value
        # In the model's field order, as the fields were looked up before.
        values = {name: given[name] for name in self.names if name in given} if len(given) > 1 else given
        try:
            return self.model.model_validate(values)
        except ValidationError as error:
            errors = [{**problem, "loc": ("query", *problem["loc"])} for problem in error.errors()]
            raise RequestValidationError(errors) from None

    def openapi_extra(self) -> dict[str, Any]:
        """A route's `openapi_extra`: the model's fields as its query parameters (a fresh copy)."""
        return {"parameters": copy.deepcopy(self._parameters)}

    @cached_property
    def _parameters(self) -> list[dict[str, Any]]:
        """One OpenAPI query parameter for each field, exactly as FastAPI documents a `Query()` model
        (rendered by FastAPI itself, on a throwaway app)."""

        async def documented(query: Any = Query()) -> None:  # pragma: no cover - never called
            return None

        documented.__annotations__["query"] = self.model
        probe = FastAPI()
        probe.get("/")(documented)
        schema = get_openapi(title="", version="", routes=probe.routes)
        parameters: list[dict[str, Any]] = schema["paths"]["/"]["get"]["parameters"]
        return parameters
