"""The route class of every API route: FastAPI's `APIRoute`, its dependencies solved by a plan made once.

FastAPI's `solve_dependencies` works out, on every request, what each dependency of a route is (a
coroutine? a generator? overridden?), parses the query string, headers and cookies whether the route
reads them or not, and builds a throwaway `Response` for parameters nobody declared. `ApiRoute` asks
those questions once, when FastAPI builds the route's handler (`APIRoute.get_route_handler`, FastAPI's
extension point for this), and keeps the answers as a `DependencyPlan`. A request then only validates
the parameters the route declares, with FastAPI's own `request_params_to_args`, and awaits the
dependencies in FastAPI's order, so its values, its 422 errors and its dependency cache are FastAPI's.

The plan is used only where it is exact: every dependency a coroutine (no generator, no thread pool),
no request body, no `Response`, `BackgroundTasks` or `SecurityScopes` parameter, and an endpoint that
returns a `Response` itself. Any other route, and every route while `app.dependency_overrides` holds
an entry, is answered by FastAPI's own handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, get_type_hints

from fastapi import routing
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _is_coroutine_callable(call: Callable[..., Any] | None) -> bool:
    """A `async def` function, or an instance whose `__call__` is one (what FastAPI awaits directly)."""
    if call is None or inspect.isclass(call):
        return False
    if inspect.isroutine(call) or hasattr(call, "func"):  # functools.partial included
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


def _returns_response(call: Callable[..., Any]) -> bool:
    """Whether the endpoint's return annotation is a `Response` class: FastAPI then sends its answer as is."""
    try:
        returned = get_type_hints(call).get("return")
    except Exception:  # an annotation that does not resolve: leave the route to FastAPI
        return False
    return inspect.isclass(returned) and issubclass(returned, Response)


@dataclass(frozen=True, slots=True)
class DependencyPlan:
    """What solving one dependant takes, worked out once: its sub-dependencies and its parameters."""

    call: Callable[..., Any]
    name: str | None
    use_cache: bool
    cache_key: tuple[Any, ...]
    dependencies: tuple[DependencyPlan, ...]
    path_params: tuple[tuple[Any, str, tuple[str, str]], ...]
    # The parameters read from the query string, the headers and the cookies, each with the request's
    # attribute that parses them: only the parts the dependant declares any parameter of.
    request_parts: tuple[tuple[Sequence[Any], str], ...]
    request_param_names: tuple[str, ...]

    @classmethod
    def of(cls, dependant: Dependant) -> DependencyPlan | None:
        """The plan for `dependant`, or None when FastAPI's general solver is needed (see the module)."""
        if (
            dependant.call is None
            or dependant.body_params
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
            or dependant.websocket_param_name
            or dependant.concurrency is not None
        ):
            return None
        dependencies = []
        for sub_dependant in dependant.dependencies:
            sub_plan = cls.of(sub_dependant)
            if sub_plan is None or not _is_coroutine_callable(sub_dependant.call):
                return None
            dependencies.append(sub_plan)
        request_names = (dependant.request_param_name, dependant.http_connection_param_name)
        return cls(
            call=dependant.call,
            name=dependant.name,
            use_cache=dependant.use_cache,
            cache_key=(dependant.call, tuple(sorted(dependant.own_oauth_scopes or ()))),
            dependencies=tuple(dependencies),
            # A path parameter is always one string once the route matched: no shape to work out.
            path_params=tuple((field, field.alias, ("path", field.alias)) for field in dependant.path_params),
            request_parts=tuple(
                (tuple(fields), attribute)
                for fields, attribute in (
                    (dependant.query_params, "query_params"),
                    (dependant.header_params, "headers"),
                    (dependant.cookie_params, "cookies"),
                )
                if fields
            ),
            request_param_names=tuple(name for name in request_names if name),
        )

    async def solve(
        self, request: Request, cache: dict[tuple[Any, ...], Any]
    ) -> tuple[dict[str, Any], list[Any]]:
        """The call's arguments and the validation errors, as FastAPI's `solve_dependencies` finds them."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for sub_plan in self.dependencies:
            sub_values, sub_errors = await sub_plan.solve(request, cache)
            if sub_errors:
                errors.extend(sub_errors)
                continue
            if sub_plan.use_cache and sub_plan.cache_key in cache:
                solved = cache[sub_plan.cache_key]
            else:
                solved = await sub_plan.call(**sub_values)
                cache.setdefault(sub_plan.cache_key, solved)
            if sub_plan.name is not None:
                values[sub_plan.name] = solved
        path_values = request.path_params
        for field, alias, location in self.path_params:
            value, wrong = field.validate(path_values[alias], values, loc=location)
            if wrong:
                errors.extend(wrong)
            else:
                values[field.name] = value
        # Only the parts of the request the dependant declares are parsed.
        for fields, attribute in self.request_parts:
            found, wrong = request_params_to_args(fields, getattr(request, attribute))
            values.update(found)
            errors.extend(wrong)
        for name in self.request_param_names:
            values[name] = request
        return values, errors


def _effective_route(route: routing.APIRoute) -> Any:
    """The route as it is included (with the dependencies, prefix and overrides of its inclusion), which
    FastAPI hands `get_route_handler` through a context variable while it builds an included route."""
    context = routing._effective_route_context_var.get()
    return context if context is not None and context.original_route is route else route


class ApiRoute(routing.APIRoute):
    """`APIRoute` whose dependencies are solved by a `DependencyPlan` made when its handler is built."""

    def get_route_handler(self) -> Handler:
        """FastAPI's handler, or one that solves by plan where the plan is exact (see the module)."""
        fastapi_handler = super().get_route_handler()
        route = _effective_route(self)
        plan = DependencyPlan.of(route.dependant)
        if (
            plan is None
            or not _returns_response(route.endpoint)
            or not _is_coroutine_callable(route.endpoint)
        ):
            return fastapi_handler
        overrides_provider = route.dependency_overrides_provider
        endpoint = plan.call

        async def handle_by_plan(request: Request) -> Response:
            if overrides_provider is not None and overrides_provider.dependency_overrides:
                return await fastapi_handler(request)
            values, errors = await plan.solve(request, {})
            if errors:
                raise RequestValidationError(errors)
            response: Response = await endpoint(**values)
            return response

        return handle_by_plan
