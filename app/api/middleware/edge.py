"""What every request gets at the door, in one ASGI layer: a request id, metrics, an access log line and
the security headers.

One layer rather than four: each ASGI layer wraps `send` in another closure and costs a few
microseconds a request whatever it does, which at thousands of requests a second was a tenth of the
CPU (docs/performance.md).
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import Metrics, database_time
from app.api.middleware.common import header, route_template
from app.api.middleware.request_id import current_request_id, is_sane, new_request_id

access_logger = logging.getLogger("sectorfacts.access")
request_id_logger = logging.getLogger("sectorfacts.request_id")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_ID_HEADER = b"x-request-id"


class RequestEdge:
    """Request id (the client's when sane, else a new one), metrics, access log, security headers."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, content_security_policy: str) -> None:
        self.app = app
        self.metrics = metrics
        self.security_headers = [
            (b"content-security-policy", content_security_policy.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]

    def _request_id(self, scope: Scope) -> str:
        given = header(scope, REQUEST_ID_HEADER)
        if given and is_sane(given):
            return given
        request_id = new_request_id()
        if given:
            request_id_logger.warning("Replaced a client's request id that is not sane with %s", request_id)
        # Handlers that read the request's header see the id the answer and the logs carry.
        headers = [(name, value) for name, value in scope["headers"] if name != REQUEST_ID_HEADER]
        scope["headers"] = [*headers, (REQUEST_ID_HEADER, request_id.encode("latin-1"))]
        return request_id

    def visit(self, scope: Scope, send: Send) -> Visit:
        """Open a request's visit: its id chosen and set for the logs, the clock started."""
        return Visit(self, scope, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        visit = self.visit(scope, send)
        with database_time() as spent:
            try:
                await self.app(scope, receive, visit.send)
            finally:
                visit.end(spent.seconds)


class Visit:
    """One request at the edge: its id and start, what it answered (status, bytes), and the headers the
    edge adds to its answer (`send`); `end` counts and logs it."""

    __slots__ = ("began", "downstream", "edge", "request_id", "scope", "size", "status")

    def __init__(self, edge: RequestEdge, scope: Scope, send: Send) -> None:
        self.began = time.perf_counter()
        self.edge = edge
        self.scope = scope
        self.downstream = send
        self.request_id = edge._request_id(scope)
        current_request_id.set(self.request_id)
        self.status = 500
        self.size = 0
        if edge.metrics is not None:
            edge.metrics.answering += 1

    async def send(self, message: Message) -> None:
        """Pass a message of the answer on, with the security headers and the request id on its start."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = message.setdefault("headers", [])
            if not isinstance(headers, list):
                headers = message["headers"] = list(headers)
            present = {name.lower() for name, _ in headers}
            headers.extend(item for item in self.edge.security_headers if item[0] not in present)
            headers.append((REQUEST_ID_HEADER, self.request_id.encode("latin-1")))
        elif message["type"] == "http.response.body":
            self.size += len(message.get("body", b""))
        await self.downstream(message)

    def abandon(self) -> None:
        """Forget a visit that answered nothing (the request goes on to another way in, with the same id)."""
        if self.edge.metrics is not None:
            self.edge.metrics.answering -= 1

    def end(self, db_seconds: float) -> None:
        """Count the answered request and log it."""
        elapsed = time.perf_counter() - self.began
        scope = self.scope
        route = route_template(scope)
        method = scope["method"]
        metrics = self.edge.metrics
        if metrics is not None:
            metrics.answering -= 1
            label = method if method in KNOWN_METHODS else "OTHER"
            metrics.observe_request(label, route, self.status, elapsed, db_seconds)
        if access_logger.isEnabledFor(logging.INFO):
            client = scope.get("client")
            access_logger.info(
                "%s %s %d",
                method,
                scope["path"],
                self.status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "query": scope.get("query_string", b"").decode("latin-1"),
                    "route": route,
                    "status": self.status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "db_ms": round(db_seconds * 1000, 3),
                    "bytes": self.size,
                    "client": client[0] if client else None,
                    "user_agent": header(scope, b"user-agent"),
                },
            )
