"""The HTTP middleware: the request edge outside, the answer pipeline inside, CORS and rate limits between."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app.api.metrics import Metrics
from app.api.middleware.answers import AnswerPipeline
from app.api.middleware.cors import ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS, ProblemCORSMiddleware
from app.api.middleware.edge import RequestEdge
from app.api.middleware.rate_limit import RateLimitMiddleware
from app.config import Settings


def install_middleware(app: FastAPI, settings: Settings, metrics: Metrics | None) -> None:
    """Wrap the app; each add_middleware call wraps the ones before it, so this reads inside out."""
    app.add_middleware(AnswerPipeline, **_pipeline_options(settings))
    if settings.rate_limit:
        app.add_middleware(
            RateLimitMiddleware, limit=settings.rate_limit, storage_uri=settings.rate_limit_storage
        )
    if settings.cors_origins:
        # Outside the rate limit: preflights are never counted, and a 429 still reaches the script.
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=settings.cors_max_age_s,
        )
    app.add_middleware(RequestEdge, **_edge_options(settings, metrics))


def between_edge_and_pipeline(settings: Settings) -> bool:
    """True when a middleware with work on every request sits between the edge and the pipeline."""
    return bool(settings.rate_limit or settings.cors_origins)


def edge_and_pipeline(settings: Settings, metrics: Metrics | None) -> tuple[RequestEdge, AnswerPipeline]:
    """The edge and the pipeline as `install_middleware` configures them, for calling directly (their
    inner app unused)."""
    return RequestEdge(_no_app, **_edge_options(settings, metrics)), AnswerPipeline(
        _no_app, **_pipeline_options(settings)
    )


def _edge_options(settings: Settings, metrics: Metrics | None) -> dict[str, Any]:
    return {"metrics": metrics, "content_security_policy": settings.content_security_policy}


def _pipeline_options(settings: Settings) -> dict[str, Any]:
    return {
        "max_body_bytes": settings.max_body_bytes,
        "gzip_min_bytes": settings.gzip_min_bytes,
        "cache_control": settings.cache_control,
    }


async def _no_app(_scope: Scope, _receive: Receive, _send: Send) -> None:
    raise RuntimeError("called directly, never as a middleware")
