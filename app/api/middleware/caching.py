"""HTTP validators: strong ETags over the bytes sent, If-None-Match comparison, and the 304 answer
(used by `http.HttpMiddleware`)."""

from __future__ import annotations

import xxhash
from starlette.types import Message, Send

# RFC 9110 15.4.5: what a 304 carries of the 200 it stands for; and the CORS headers, without which a
# browser script on another origin could not use its cached copy.
NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")
CORS_PREFIX = "access-control-"


def strong_etag(body: bytes) -> str:
    """A strong entity tag for these exact bytes: their 128-bit XXH3 hash. A validator needs to change
    with the bytes, not to resist forgery (a client can only fool its own cache), and XXH3 is many times
    faster than SHA-256."""
    return f'"{xxhash.xxh3_128_hexdigest(body)}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when If-None-Match names this ETag (weak comparison, as RFC 9110 requires) or is `*`."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or _opaque(etag) in {_opaque(tag) for tag in tags if tag}


async def not_modified(start: Message, send: Send) -> None:
    """Answer 304 for `start`, with the headers a 304 keeps of the 200 it stands for."""
    kept = [
        (name, value)
        for name, value in start["headers"]
        if (lowered := name.decode("latin-1").lower()) in NOT_MODIFIED_HEADERS
        or lowered.startswith(CORS_PREFIX)
    ]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b""})
