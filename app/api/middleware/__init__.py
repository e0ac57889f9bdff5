"""The HTTP middleware, one module per concern, installed in the order each needs."""

from __future__ import annotations

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from app.api.metrics import Metrics
from app.api.middleware.access_log import AccessLogMiddleware
from app.api.middleware.body_limit import BodyLimitMiddleware
from app.api.middleware.caching import CachingMiddleware
from app.api.middleware.cors import ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS, ProblemCORSMiddleware
from app.api.middleware.errors import InternalErrorMiddleware
from app.api.middleware.metrics import MetricsMiddleware
from app.api.middleware.paging import PagingLinkMiddleware
from app.api.middleware.rate_limit import RateLimitMiddleware
from app.api.middleware.request_id import HEADER, is_sane, new_request_id
from app.api.middleware.security_headers import SecurityHeadersMiddleware
from app.config import Settings


def install_middleware(app: FastAPI, settings: Settings, metrics: Metrics | None) -> None:
    """Wrap the app; each add_middleware call wraps the ones before it, so this reads inside out."""
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(PagingLinkMiddleware)  # reads the JSON body, so inside gzip
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=6)
    app.add_middleware(CachingMiddleware, cache_control=settings.cache_control)  # hashes the bytes sent
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
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
    app.add_middleware(SecurityHeadersMiddleware, content_security_policy=settings.content_security_policy)
    app.add_middleware(AccessLogMiddleware)
    if metrics is not None:
        app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(
        CorrelationIdMiddleware, header_name=HEADER, generator=new_request_id, validator=is_sane
    )
