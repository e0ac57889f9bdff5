"""The route class every API route uses: it refuses unstorable path and query text before the endpoint,
and lets the hottest read routes take their arguments parsed by hand.

The text check is in the route itself, not an app-wide dependency: FastAPI spends more solving a
dependency than the check costs, and a middleware would not know which path parameter (`path.claim_id`)
to name. For the same reason an endpoint may carry a `fast_arguments` parser (`app.api.fast_arguments`):
when it understands the request, the endpoint is called with what it returns; when it returns None,
FastAPI solves the arguments as usual, so every error and unusual request answers exactly as documented.
`HotRouteTable` finds those routes without FastAPI's router, for the fast lane (`app.api.fast_lane`) or,
where that is off, for the innermost middleware (`HotRoutes`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import unstorable_location
from app.api.middleware.common import request_path
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

    async def fast_answer(self, request: Request) -> Response | None:
        """The text guard, then the endpoint's answer for its hand-parsed arguments; None when it has no
        parser or its parser leaves the request to FastAPI."""
        scope = request.scope
        if _SUSPECT_QUERY.search(scope["query_string"]) or _SUSPECT_PATH.search(scope["path"]):
            location = unstorable_location(request.path_params, request.query_params.multi_items())
            if location is not None:
                raise BadParameter(location, "contains a control character or an unpaired surrogate")
        parse: FastArguments | None = getattr(self.endpoint, "fast_arguments", None)
        # App-wide dependencies (read_access, when reads need a key) run only in FastAPI's handler.
        if parse is None or not request.app.state.fast_arguments:
            return None
        arguments = parse(request)
        if arguments is None:
            return None
        answer: Response = await self.endpoint(**arguments)
        return answer

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The framework's handler, behind the text guard and the endpoint's own argument parser."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            answer = await self.fast_answer(request)
            return answer if answer is not None else await handler(request)

        return guarded


def _in_routing_order(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route in the order FastAPI tries them (included routers expanded in place)."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI 0.165 keeps included routers as such
        if included is not None and not getattr(getattr(route, "include_context", None), "prefix", ""):
            yield from _in_routing_order(included.routes)
        else:
            yield route


class HotRouteTable:
    """The hottest reads, found and answered without FastAPI's router: a GET whose path matches a route
    with `fast_arguments` (and that no route tried earlier would answer) gets that route's fast answer,
    an error it raises answered by the app's exception handlers as FastAPI's ExceptionMiddleware would
    (a plain function's answer built here, not in the thread pool: they only build it). FastAPI's router
    walks every included router to find a route, which was a fifth of a single claim's CPU."""

    def __init__(self, routes: Sequence[BaseRoute], handlers: Mapping[Any, Callable[..., Any]]) -> None:
        # What ExceptionMiddleware handles: handlers by exception class (500 and Exception are the last
        # resort's, outside every middleware).
        self.handlers = handlers
        self.hot: list[tuple[ApiRoute, frozenset[str]]] = []
        earlier: list[BaseRoute] = []
        for route in _in_routing_order(routes):
            if (
                isinstance(route, ApiRoute)
                and route.methods == {"GET"}
                and hasattr(route.endpoint, "fast_arguments")
            ):
                shadowed = self._shadowed(route, earlier)
                if shadowed is not None:
                    self.hot.append((route, shadowed))
            earlier.append(route)

    @staticmethod
    def _shadowed(route: ApiRoute, earlier: list[BaseRoute]) -> frozenset[str] | None:
        """The fixed paths of earlier routes that `route`'s pattern also matches (FastAPI answers those
        with the earlier route); None when an earlier route with parameters might overlap it."""
        sample = re.sub(r"{[^}]+}", "zz-sample", route.path)
        probe = {"type": "http", "method": "GET", "path": sample, "root_path": ""}
        fixed: set[str] = set()
        for other in earlier:
            path = getattr(other, "path", "")
            if "{" not in path and isinstance(other, Route):
                if route.path_regex.match(path):
                    fixed.add(path)
            elif other.matches(probe)[0] != Match.NONE:
                return None
        return frozenset(fixed)

    def match(self, scope: Scope) -> tuple[ApiRoute, dict[str, Any]] | None:
        """The hot route a GET request's path goes to, and its path parameters; None for any other."""
        path = request_path(scope)
        for route, shadowed in self.hot:
            found = route.path_regex.match(path)
            if found is None:
                continue
            return None if path in shadowed else (route, found.groupdict())
        return None

    async def answer(
        self, scope: Scope, receive: Receive, route: ApiRoute, path_params: dict[str, Any]
    ) -> Response | None:
        """The route's fast answer (its errors answered by the app's handlers); None when its parser
        leaves the request to FastAPI."""
        scope.update(path_params=path_params, endpoint=route.endpoint, route=route)
        request = Request(scope, receive)
        try:
            return await route.fast_answer(request)
        except Exception as error:
            handler = self._handler(error)
            if handler is None:
                raise
            answer: Response = handler(request, error)
            if inspect.isawaitable(answer):
                answer = await answer
            return answer

    def _handler(self, error: Exception) -> Callable[..., Any] | None:
        """The app's handler for `error`, by its class or the nearest base with one (as Starlette finds
        it); None for the last resort."""
        for kind in type(error).__mro__:
            if kind is Exception:
                return None
            if (handler := self.handlers.get(kind)) is not None:
                return handler
        return None


class HotRoutes:
    """The hot route table as the innermost middleware, where the fast lane (`app.api.fast_lane`) is off:
    it also skips the layers between the middleware and the router (exception handling, an exit stack for
    uploaded files, the router), about 9 µs. Any other request, or one the route's parser leaves to
    FastAPI, goes down those layers as usual."""

    def __init__(self, app: ASGIApp, table: HotRouteTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and (found := self.table.match(scope)):
            answer = await self.table.answer(scope, receive, *found)
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
