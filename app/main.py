"""The application factory: nothing connects or reads the environment until create_app is called."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.api.auth import read_access
from app.api.inclusion import include_routes
from app.api.llms_txt import install_llms_txt
from app.api.metrics import Metrics
from app.api.middleware import install_middleware
from app.api.openapi import build_openapi
from app.api.pages import install_pages
from app.api.problems import install_problem_handlers
from app.api.route_class import ApiRoute
from app.api.routers import (
    annotation_schema,
    claim_relations,
    claims,
    documents,
    entities,
    health,
    history,
    matrix,
    notes,
    problems,
    search,
    snapshots,
    stream,
    themes,
    vocabulary,
    webhooks,
)
from app.api.routers import metrics as metrics_router
from app.config import Settings
from app.db import create_database
from app.heap import freeze_startup_heap
from app.services.change_hub import ChangeHub
from app.services.wal_checkpoints import checkpointing
from app.services.webhook_delivery import delivering_webhooks
from app.thread_switching import switch_interval

DESCRIPTION = """
Precise, queryable, citable facts from published sources on Pakistan's IT sector.

Every claim carries the **verbatim quote** it rests on and its exact **span** in the source text
(`document.text[span.start:span.end] == quote`), and keeps what the source says apart from the
**context** other publications add. Errors are RFC 9457 problem details. Lists share one envelope,
`{"data": [...], "meta": {"total", "limit", "next_cursor"}}`, paged with opaque keyset cursors.
"""


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operationId: its name (`list_claims`), so generated clients read as hand-written.

    Route names are unique (tests/api/test_operation_ids.py); FastAPI's default would append the path and
    method (`list_claims_v1_claims_get`).
    """
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for `settings` (read from SECTORFACTS_* variables when omitted)."""
    settings = settings or Settings()
    database = create_database(settings, serving=True)
    change_hub = ChangeHub(database, settings.stream_poll_interval_s)
    # Engines of its own for webhook delivery, so requests never wait for a connection it holds; made
    # here (nothing connects yet) so that they live as long as the app, however often its lifespan runs.
    delivery_database = create_database(settings) if settings.webhook_delivery else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.gc_freeze:
            freeze_startup_heap()
        with switch_interval(settings.thread_switch_interval_ms / 1000):
            async with checkpointing(database), delivering_webhooks(delivery_database, settings):
                yield
        await change_hub.close()
        database.dispose()

    app = FastAPI(
        title="Sector Facts API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Only when reads need a key: solving a dependency costs every request more than nothing.
        dependencies=[Depends(read_access)] if settings.reads_require_key else None,
        docs_url=None,  # app.api.pages serves the docs from local files, not a CDN
        redoc_url=None,
        # Off, FastAPI skips asking OpenTelemetry for its providers on every request.
        telemetry=None if settings.opentelemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    # Routes added on the app itself (the pages) are built by the same route class as the routers'.
    app.router.route_class = ApiRoute
    app.state.settings = settings
    app.state.database = database
    app.state.change_hub = change_hub
    metrics = Metrics() if settings.metrics_enabled else None
    if metrics is not None:
        metrics.instrument(database)
        app.state.metrics = metrics
    install_problem_handlers(app)
    install_middleware(app, settings, metrics)
    app.openapi = partial(build_openapi, app)  # type: ignore[method-assign]
    # Starlette tries the routes in this order, so the most requested come first.
    for router in (
        claims.router,
        search.router,
        entities.router,
        themes.router,
        documents.router,
        notes.router,
        claim_relations.router,
        history.router,
        stream.router,
        webhooks.router,
        matrix.router,
        health.router,
        problems.router,
        annotation_schema.router,
        snapshots.router,
        vocabulary.router,
    ):
        include_routes(app, router)
    if metrics is not None:
        include_routes(app, metrics_router.router)
    install_pages(app)
    install_llms_txt(app)
    return app
