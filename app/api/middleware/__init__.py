"""The HTTP middleware: `HttpMiddleware` outermost, then CORS and the rate limit when configured."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.metrics import Metrics
from app.api.middleware.cors import ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS, ProblemCORSMiddleware
from app.api.middleware.http import HttpMiddleware
from app.api.middleware.rate_limit import RateLimitMiddleware
from app.config import Settings
from app.optional import require_rate_limit_storage


def install_middleware(app: FastAPI, settings: Settings, metrics: Metrics | None) -> None:
    """Wrap the app; each add_middleware call wraps the ones before it, so this reads inside out."""
    if settings.rate_limit:
        # Now, not when Starlette builds the middleware on the first request.
        require_rate_limit_storage(settings.rate_limit_storage)
        app.add_middleware(
            RateLimitMiddleware, limit=settings.rate_limit, storage_uri=settings.rate_limit_storage
        )
    cors = cors_options(settings)
    if cors is not None:
        # Outside the rate limit: preflights are never counted, and a 429 still reaches the script.
        app.add_middleware(ProblemCORSMiddleware, **cors)
    # Outermost: every answer, a preflight or a 429 included, carries a request id and is counted.
    app.add_middleware(
        HttpMiddleware,
        metrics=metrics,
        content_security_policy=settings.content_security_policy,
        max_body_bytes=settings.max_body_bytes,
        gzip_min_bytes=settings.gzip_min_bytes,
        cache_control=settings.cache_control,
        cors=cors,
    )


def cors_options(settings: Settings) -> dict[str, Any] | None:
    """The CORS middleware's options, or None when no origin may call the API from a browser."""
    if not settings.cors_origins:
        return None
    return {
        "allow_origins": settings.cors_origins,
        "allow_credentials": settings.cors_allow_credentials,
        "allow_methods": ALLOWED_METHODS,
        "allow_headers": ALLOWED_HEADERS,
        "expose_headers": EXPOSED_HEADERS,
        "max_age": settings.cors_max_age_s,
    }
