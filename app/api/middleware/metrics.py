"""Request metrics for Prometheus, labelled by route template (bounded), method and status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import Metrics, database_time
from app.api.middleware.common import route_template

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Count and time every request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        self.metrics.in_progress.inc()
        with database_time() as spent:
            try:
                await self.app(scope, receive, watch)
            finally:
                self.metrics.in_progress.dec()
                elapsed = time.perf_counter() - began
                self.metrics.observe_request(method, route_template(scope), status, elapsed, spent.seconds)
