"""How the app takes in its routers: their routes added to the app's own router, matched once a request.

FastAPI's `include_router` keeps an included router nested: a request is matched against every router
included before the one that answers, and then matched again inside it before its route runs. Adding
each route to the app's router with `APIRouter.add_api_route` (FastAPI's public API, and what
`include_router` did before it nested) gives the same routes — the router's prefix, tags, responses and
dependencies, then the app's own dependencies and dependency overrides — in one flat table that
Starlette's router walks once. docs/performance.md measures the difference.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, params
from fastapi.routing import APIRoute


def include_routes(app: FastAPI, router: APIRouter, *, dependencies: Sequence[params.Depends] = ()) -> None:
    """Add `router`'s routes to `app`'s router, each also depending on `dependencies` (run first)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            # Starlette routes (none today) carry no dependencies to combine: they are added as they are.
            app.router.routes.append(route)
            continue
        app.router.add_api_route(
            route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=list(route.tags),
            dependencies=[*dependencies, *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            route_class_override=type(route),
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
        )
