"""One structured access log line per request: method, path, route, status, time, database time, size."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import database_time
from app.api.middleware.common import route_template

logger = logging.getLogger("sectorfacts.access")


class AccessLogMiddleware:
    """Log every answered request on `sectorfacts.access` (the request id comes from the log filter)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500
        size = 0

        async def watch(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        with database_time() as spent:
            try:
                await self.app(scope, receive, watch)
            finally:
                client = scope.get("client")
                logger.info(
                    "%s %s %d",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "query": scope.get("query_string", b"").decode("latin-1"),
                        "route": route_template(scope),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - began) * 1000, 3),
                        "db_ms": round(spent.seconds * 1000, 3),
                        "bytes": size,
                        "client": client[0] if client else None,
                        "user_agent": Headers(scope=scope).get("user-agent"),
                    },
                )
