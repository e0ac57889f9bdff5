"""What passes between the routes and the client, in one ASGI layer, in this order:

- requests: bodies over the size limit answer 413 before the app reads them;
- answers: paged JSON gets its `Link: rel="next"`, large bodies are gzip-compressed when the client
  accepts it (`Vary: Accept-Encoding` either way), GET answers get Cache-Control and a strong ETag over
  the bytes sent, with 304 for a matching If-None-Match; an unexpected exception answers a 500 problem
  that still passes all of this and the outer layers (request id, CORS).

One layer rather than six separate ones: each ASGI layer wraps `send` in another closure and holds or
copies the answer's start message, which cost more than what most of them do (docs/performance.md).
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.middleware.caching import none_match, not_modified, strong_etag
from app.api.middleware.common import header, is_operational
from app.api.middleware.paging import next_cursor, next_link
from app.api.problems import problem

logger = logging.getLogger("sectorfacts.errors")

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


class AnswerPipeline:
    """Body limit, paging links, gzip, ETag and conditional GET, last-resort 500."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        gzip_min_bytes: int,
        cache_control: str,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.gzip_min_bytes = gzip_min_bytes
        self.cache_control = cache_control.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer = Answer(self, scope, send)
        try:
            if scope["method"] not in BODYLESS_METHODS:
                receive = await self._limited(scope, receive)
            await self.app(scope, receive, answer.send)
        except _TooLarge:
            detail = f"The request body is larger than {self.max_body_bytes} bytes."
            response = problem("payload-too-large", 413, detail, limit=self.max_body_bytes)
            await response(scope, receive, answer.send)
        except Exception as error:
            await self.last_resort(error, answer, scope, receive)

    def answer(self, scope: Scope, send: Send) -> Answer:
        """An answer to a request that comes through this pipeline's work on its way to `send`."""
        return Answer(self, scope, send)

    async def last_resort(self, error: Exception, answer: Answer, scope: Scope, receive: Receive) -> None:
        """A 500 problem for an unexpected `error`, logged; re-raised when the answer has already begun."""
        if answer.started:
            raise error  # too late for another answer: let the server close the connection
        logger.error("unhandled error", exc_info=error)
        response = problem("internal-error", 500, "An unexpected error occurred; it has been logged.")
        await response(scope, receive, answer.send)

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


class Answer:
    """One answer on its way out: held from its start until its first body shows what to do with it."""

    __slots__ = ("compressor", "downstream", "pipeline", "scope", "start", "started", "swallow")

    def __init__(self, pipeline: AnswerPipeline, scope: Scope, downstream: Send) -> None:
        self.pipeline = pipeline
        self.scope = scope
        self.downstream = downstream
        self.start: Message | None = None
        self.started = False
        self.compressor: Any = None
        self.swallow = False

    async def respond(self, response: Response, scope: Scope, receive: Receive) -> None:
        """Send `response` through the pipeline: a whole body at once, without passing its messages
        through `send`, unless it streams or has background work."""
        if type(response).__call__ is not Response.__call__ or response.background is not None:
            await response(scope, receive, self.send)
            return
        self.started = True
        status, headers = response.status_code, response.raw_headers
        start = {"type": "http.response.start", "status": status, "headers": headers}
        await self._first_body(start, {"type": "http.response.body", "body": response.body})

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.started = True
            self.start = message
            return
        if kind != "http.response.body":
            await self._flush()
            await self.downstream(message)
            return
        if self.swallow:
            return  # the body of an answer already sent as 304
        if self.start is None:  # a later chunk of a streamed body
            if self.compressor is not None:
                message["body"] = await _compress(self.compressor, message.get("body", b""), message)
            await self.downstream(message)
            return
        start, self.start = self.start, None
        await self._first_body(start, message)

    async def _flush(self) -> None:
        if self.start is not None:
            start, self.start = self.start, None
            await self.downstream(start)

    async def _first_body(self, start: Message, message: Message) -> None:
        scope = self.scope
        status: int = start["status"]
        # A copy, as MutableHeaders makes: the list may be a response object's own, which another
        # request could send again.
        raw = start["headers"] = list(start.get("headers") or ())
        # Each header's first value, looked up by name (lower-case, as Starlette's headers compare them):
        # one pass over the answer's headers rather than a walk of them per question.
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
            and (streamed or len(body) >= self.pipeline.gzip_min_bytes)
        ):
            if b"vary" in present:
                MutableHeaders(raw=raw).add_vary_header("Accept-Encoding")
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
        if is_get and await self._cached(start, present, status, body, streamed):
            return
        await self.downstream(start)
        await self.downstream(message)

    async def _cached(
        self, start: Message, present: dict[bytes, bytes], status: int, body: bytes, streamed: bool
    ) -> bool:
        """Cache-Control and the validator of a GET answer; True when a 304 went out instead. `present`:
        the answer's headers before gzip (which changes neither of these)."""
        raw: list[tuple[bytes, bytes]] = start["headers"]
        if b"cache-control" not in present:
            # A route's own 304 is cached like its 200; errors, redirects and operational paths are not.
            cached = status in (200, 304) and not is_operational(self.scope)
            raw.append((b"cache-control", self.pipeline.cache_control if cached else b"no-store"))
        if status != 200:
            return False
        if_none_match = header(self.scope, b"if-none-match")
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
        if not none_match(if_none_match, etag):
            return False
        self.swallow = streamed
        await not_modified(start, self.downstream)
        return True


def _compressible(media_type: str) -> bool:
    return media_type not in UNCOMPRESSED_TYPES and not media_type.startswith(UNCOMPRESSED_FAMILIES)


async def _compress(compressor: Any, body: bytes, message: Message) -> bytes:
    """`body` through the answer's gzip stream: flushed to here if more follows, else finished."""
    more = bool(message.get("more_body", False))

    def run() -> bytes:
        out: bytes = compressor.compress(body) + compressor.flush(
            zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
        )
        return out

    if len(body) >= THREAD_COMPRESS_BYTES:
        return await anyio.to_thread.run_sync(run)
    return run()
