"""The route class every API route uses: it refuses unstorable path and query text before the endpoint,
and lets the hottest read routes take their arguments parsed by hand.

The text check is in the route itself, not an app-wide dependency: FastAPI spends more solving a
dependency than the check costs, and a middleware would not know which path parameter (`path.claim_id`)
to name. For the same reason an endpoint may carry a `fast_arguments` parser (`app.api.fast_arguments`):
when it understands the request, the endpoint is called with what it returns; when it returns None,
FastAPI solves the arguments as usual, so every error and unusual request answers exactly as documented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.api.deps import unstorable_location
from app.api.problems import BadParameter

EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])
# A control character (raw or percent-encoded) in the query string, or one or an unpaired surrogate in
# the decoded path: most requests have none, so the exact check runs only on a hit.
_SUSPECT_QUERY = re.compile(rb"[\x00-\x1f]|%[01][0-9A-Fa-f]")
_SUSPECT_PATH = re.compile("[\x00-\x1f\ud800-\udfff]")


FastArguments = Callable[[Request], dict[str, Any] | None]


def fast_arguments(parse: FastArguments) -> Callable[[EndpointT], EndpointT]:
    """Give an endpoint a hand-written parser of its arguments for the common request (see the module)."""

    def mark(endpoint: EndpointT) -> EndpointT:
        endpoint.fast_arguments = parse  # type: ignore[attr-defined]
        return endpoint

    return mark


def json_answer(model: BaseModel) -> Response:
    """A model's JSON answer as FastAPI would send it, serialised once (an endpoint with
    `fast_arguments` answers a Response, not a model to validate again)."""
    return Response(model.__pydantic_serializer__.to_json(model), media_type=JSONResponse.media_type)


class ApiRoute(APIRoute):
    """An APIRoute whose handler first refuses path or query text no engine stores faithfully (422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The framework's handler, behind the text guard and the endpoint's own argument parser."""
        handler = super().get_route_handler()
        endpoint = self.endpoint
        parse: FastArguments | None = getattr(endpoint, "fast_arguments", None)

        async def guarded(request: Request) -> Response:
            scope = request.scope
            if _SUSPECT_QUERY.search(scope["query_string"]) or _SUSPECT_PATH.search(scope["path"]):
                location = unstorable_location(request.path_params, request.query_params.multi_items())
                if location is not None:
                    raise BadParameter(location, "contains a control character or an unpaired surrogate")
            # App-wide dependencies (read_access, when reads need a key) run only in FastAPI's handler.
            if parse is not None and request.app.state.fast_arguments:
                arguments = parse(request)
                if arguments is not None:
                    answer: Response = await endpoint(**arguments)
                    return answer
            return await handler(request)

        return guarded
