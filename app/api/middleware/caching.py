"""HTTP caching: a strong ETag on every GET answer, 304 for a matching If-None-Match, and Cache-Control.

The ETag hashes the bytes sent (after any gzip), so it changes exactly when the representation does: a
new data revision, another format, another content coding. A route's own ETag (a resource's revision) is
kept as it is. Streamed bodies (exports) pass untouched.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.middleware.common import is_operational

# RFC 9110 15.4.5: what a 304 carries of the 200 it stands for.
NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")


def strong_etag(body: bytes) -> str:
    """A strong entity tag for these exact bytes."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when If-None-Match names this ETag (weak comparison, as RFC 9110 requires) or is `*`."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or _opaque(etag) in {_opaque(tag) for tag in tags if tag}


class CachingMiddleware:
    """ETag, conditional GET and Cache-Control for GET answers."""

    def __init__(self, app: ASGIApp, cache_control: str) -> None:
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        cache_control = "no-store" if is_operational(scope) else self.cache_control
        held: Message | None = None
        swallow = False

        async def conditional(message: Message) -> None:
            nonlocal held, swallow
            if swallow:
                return  # the body of an answer already sent as 304
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] != 200:
                    # A route's own 304 is cached like its 200; errors and redirects are not cached.
                    headers.setdefault(
                        "Cache-Control", cache_control if message["status"] == 304 else "no-store"
                    )
                    await send(message)
                    return
                headers.setdefault("Cache-Control", cache_control)
                if (etag := headers.get("etag")) is not None:
                    # The route's own validator (a revision, a static file's): kept as it is, since writes
                    # compare If-Match with it, and decided on now, whether or not the body streams.
                    if none_match(if_none_match, etag):
                        swallow = True
                        await _not_modified(message, send)
                        return
                    await send(message)
                    return
                held = message  # until the body shows whether it is whole or streamed
                return
            if held is None:
                await send(message)
                return
            start, held = held, None
            if message["type"] != "http.response.body" or message.get("more_body", False):
                await send(start)  # streamed: sent as it comes, without a validator
                await send(message)
                return
            etag = strong_etag(message.get("body", b""))
            MutableHeaders(scope=start)["ETag"] = etag
            if none_match(if_none_match, etag):
                await _not_modified(start, send)
                return
            await send(start)
            await send(message)

        await self.app(scope, receive, conditional)


async def _not_modified(start: Message, send: Send) -> None:
    kept = [(k, v) for k, v in start["headers"] if k.decode("latin-1").lower() in NOT_MODIFIED_HEADERS]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b""})
