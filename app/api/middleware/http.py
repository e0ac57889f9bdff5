"""Every request's cross-cutting HTTP work, in one pure-ASGI middleware, in this order:

- on the way in: a request id (the client's own when sane), the clock, and a body over the size limit
  answered 413 before the app reads it;
- on the way out: paged JSON gets its `Link: rel="next"`; large bodies are gzip-compressed when the client
  accepts it (`Vary: Accept-Encoding` either way); GET answers get Cache-Control and a strong ETag over the
  bytes sent, with 304 for a matching If-None-Match; every answer gets the security headers and its
  request id; an unexpected exception answers a 500 problem;
- at the end: the request is counted in the metrics and logged.

One layer rather than several: each ASGI layer wraps `send` in another closure and holds or copies the
answer's start message, which costs more than most of this work (docs/performance.md). CORS and rate
limiting are ordinary Starlette middleware inside it (`app.api.middleware.install_middleware`).
"""

from __future__ import annotations

import logging
import time
import zlib
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import Metrics, database_time
from app.api.middleware.caching import none_match, not_modified, strong_etag
from app.api.middleware.common import header, is_operational, route_template
from app.api.middleware.cors import ProblemCORSMiddleware
from app.api.middleware.paging import next_cursor, next_link
from app.api.middleware.request_id import current_request_id, is_sane, new_request_id
from app.api.problems import internal_error, problem

access_logger = logging.getLogger("sectorfacts.access")
request_id_logger = logging.getLogger("sectorfacts.request_id")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_ID_HEADER = b"x-request-id"
# The app never reads a body sent with these methods.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Not worth compressing (already compressed, or a stream a client reads as it comes).
UNCOMPRESSED_TYPES = frozenset(
    {
        "application/grpc",
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "font/woff",
        "font/woff2",
        "text/event-stream",
    }
)
UNCOMPRESSED_FAMILIES = ("image/", "audio/", "video/")
# Compressing more than this at once would hold the event loop: done in a worker thread instead.
THREAD_COMPRESS_BYTES = 128 * 1024


class HttpMiddleware:
    """Request id, body limit, paging links, gzip, ETag and conditional GET, security headers, the
    last-resort 500, metrics and the access log."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics | None,
        content_security_policy: str,
        max_body_bytes: int,
        gzip_min_bytes: int,
        cache_control: str,
        cors: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        # The CORS policy the answers made here pass through (the app's own pass the CORS middleware).
        self.cors = cors
        self.metrics = metrics
        self.security_headers = [
            (b"content-security-policy", content_security_policy.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        self.max_body_bytes = max_body_bytes
        self.gzip_min_bytes = gzip_min_bytes
        self.cache_control = cache_control.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = RequestContext(self, scope, send)
        with database_time() as spent:
            try:
                if scope["method"] not in BODYLESS_METHODS:
                    receive = await self._limited(scope, receive)
                await self.app(scope, receive, context.send)
            except _TooLarge:
                detail = f"The request body is larger than {self.max_body_bytes} bytes."
                response = problem("payload-too-large", 413, detail, limit=self.max_body_bytes)
                await self._answer(response, scope, receive, context)
            except Exception as error:
                if context.started:
                    raise  # too late for another answer: let the server close the connection
                await self._answer(internal_error(error), scope, receive, context)
            finally:
                context.end(spent.seconds)

    async def _answer(
        self, response: ASGIApp, scope: Scope, receive: Receive, context: RequestContext
    ) -> None:
        """Send an answer made here, through the same CORS policy as the app's, so a browser script on an
        allowed origin can read a 413 or a 500 too."""
        if self.cors is not None:
            response = ProblemCORSMiddleware(response, **self.cors)
        await response(scope, receive, context.send)

    async def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, after refusing a body over the limit: by Content-Length, or read up to the limit."""
        length = header(scope, b"content-length")
        if length is not None:
            # The server never delivers more than a declared length, so the header alone decides.
            if length.strip().isdigit() and int(length) > self.max_body_bytes:
                raise _TooLarge
            return receive
        # No declared length (chunked): read the body here, at most the limit, then replay it.
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                raise _TooLarge
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        return replay


class _TooLarge(Exception):
    """The request body is over the limit."""


class RequestContext:
    """One request on its way through the middleware: its id and clock, and its response, held from its
    start message until the first body shows what to do with it (link, gzip, validator)."""

    __slots__ = (
        "began",
        "compressor",
        "held_start",
        "middleware",
        "request_id",
        "scope",
        "server_send",
        "size",
        "started",
        "status",
        "swallow",
    )

    def __init__(self, middleware: HttpMiddleware, scope: Scope, server_send: Send) -> None:
        self.began = time.perf_counter()
        self.middleware = middleware
        self.scope = scope
        self.server_send = server_send
        self.request_id = self._request_id(scope)
        current_request_id.set(self.request_id)
        self.status = 500
        self.size = 0
        self.held_start: Message | None = None
        self.started = False
        self.compressor: Any = None
        self.swallow = False
        if middleware.metrics is not None:
            middleware.metrics.answering += 1

    @staticmethod
    def _request_id(scope: Scope) -> str:
        given = header(scope, REQUEST_ID_HEADER)
        if given and is_sane(given):
            return given
        request_id = new_request_id()
        if given:
            request_id_logger.warning("Replaced a client's request id that is not sane with %s", request_id)
        # Handlers that read the request's header see the id the response and the logs carry.
        headers = [(name, value) for name, value in scope["headers"] if name != REQUEST_ID_HEADER]
        scope["headers"] = [*headers, (REQUEST_ID_HEADER, request_id.encode("latin-1"))]
        return request_id

    async def send(self, message: Message) -> None:
        """The app's `send`: the response's messages, reshaped on their way to the server."""
        kind = message["type"]
        if kind == "http.response.start":
            self.started = True
            self.held_start = message
            return
        if kind != "http.response.body":
            await self._release_start()
            await self._emit(message)
            return
        if self.swallow:
            return  # the body of a response already sent as 304
        if self.held_start is None:  # a later chunk of a streamed body
            if self.compressor is not None:
                message["body"] = await _compress(self.compressor, message.get("body", b""), message)
            await self._emit(message)
            return
        start, self.held_start = self.held_start, None
        await self._first_body(start, message)

    async def _release_start(self) -> None:
        if self.held_start is not None:
            start, self.held_start = self.held_start, None
            await self._emit(start)

    async def _emit(self, message: Message) -> None:
        """Pass a message to the server: the security headers and the request id on the start."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            # A copy: the list may be a response object's own, which another request could send again.
            headers = message["headers"] = list(message.get("headers") or ())
            present = {name.lower() for name, _ in headers}
            headers.extend(item for item in self.middleware.security_headers if item[0] not in present)
            headers.append((REQUEST_ID_HEADER, self.request_id.encode("latin-1")))
        elif message["type"] == "http.response.body":
            self.size += len(message.get("body", b""))
        await self.server_send(message)

    async def _first_body(self, start: Message, message: Message) -> None:
        scope = self.scope
        middleware = self.middleware
        status: int = start["status"]
        raw = start["headers"] = list(start.get("headers") or ())
        # Each header's first value by name (lower-case, as Starlette compares them), read once.
        present: dict[bytes, bytes] = dict(reversed(raw))
        body: bytes = message.get("body", b"")
        streamed = bool(message.get("more_body", False))
        is_get = scope["method"] == "GET"
        media_type = present.get(b"content-type", b"").partition(b";")[0].strip().lower()
        paged = is_get and not streamed and status == 200 and b"json" in media_type
        if paged and (cursor := next_cursor(body)) is not None:
            raw.append((b"link", next_link(scope, cursor).encode("latin-1")))
        if (
            status != 206
            and b"content-encoding" not in present
            and _compressible(media_type.decode("latin-1"))
            and (streamed or len(body) >= middleware.gzip_min_bytes)
        ):
            if b"vary" in present:
                _add_vary(raw)
            else:
                raw.append((b"vary", b"Accept-Encoding"))
            if "gzip" in (header(scope, b"accept-encoding") or ""):
                headers = MutableHeaders(raw=raw)
                self.compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                body = message["body"] = await _compress(self.compressor, body, message)
                headers["Content-Encoding"] = "gzip"
                if streamed:
                    del headers["Content-Length"]
                else:
                    headers["Content-Length"] = str(len(body))
        if is_get and await self._not_modified(start, present, status, body, streamed):
            return
        await self._emit(start)
        await self._emit(message)

    async def _not_modified(
        self, start: Message, present: dict[bytes, bytes], status: int, body: bytes, streamed: bool
    ) -> bool:
        """Cache-Control and the validator of a GET response; True when a 304 went out instead.
        `present`: the response's headers before gzip (which changes neither of these)."""
        raw: list[tuple[bytes, bytes]] = start["headers"]
        if b"cache-control" not in present:
            # A route's own 304 is cached like its 200; errors, redirects and operational paths are not.
            cached = status in (200, 304) and not is_operational(self.scope)
            raw.append((b"cache-control", self.middleware.cache_control if cached else b"no-store"))
        if status != 200:
            return False
        given = present.get(b"etag")
        if given is None:
            if streamed:
                return False  # sent as it comes, without a validator
            # Hashes the bytes sent (after gzip), so it changes exactly when the representation does.
            etag = strong_etag(body)
            raw.append((b"etag", etag.encode("latin-1")))
        else:
            # A route's own validator (a revision, a static file's) is kept as it is: writes compare
            # If-Match with it.
            etag = given.decode("latin-1")
        if not none_match(header(self.scope, b"if-none-match"), etag):
            return False
        self.swallow = streamed
        await not_modified(start, self._emit)
        return True

    def end(self, db_seconds: float) -> None:
        """Count the request in the metrics and log it."""
        elapsed = time.perf_counter() - self.began
        scope = self.scope
        route = route_template(scope)
        method = scope["method"]
        metrics = self.middleware.metrics
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


def _add_vary(raw: list[tuple[bytes, bytes]]) -> None:
    """Starlette's `MutableHeaders(raw=raw).add_vary_header("Accept-Encoding")`, on the raw list (which has a
    Vary): every Vary value and `Accept-Encoding` joined in the first Vary's place, the others dropped."""
    places = [index for index, (name, _) in enumerate(raw) if name == b"vary"]
    joined = b", ".join([*(raw[index][1] for index in places), b"Accept-Encoding"])
    for index in reversed(places[1:]):
        del raw[index]
    raw[places[0]] = (b"vary", joined)


def _compressible(media_type: str) -> bool:
    return media_type not in UNCOMPRESSED_TYPES and not media_type.startswith(UNCOMPRESSED_FAMILIES)


async def _compress(compressor: Any, body: bytes, message: Message) -> bytes:
    """`body` through the response's gzip stream: flushed to here if more follows, else finished."""
    more = bool(message.get("more_body", False))

    def run() -> bytes:
        out: bytes = compressor.compress(body) + compressor.flush(
            zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
        )
        return out

    if len(body) >= THREAD_COMPRESS_BYTES:
        return await anyio.to_thread.run_sync(run)
    return run()
