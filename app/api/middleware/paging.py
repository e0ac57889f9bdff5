"""`Link: <…>; rel="next"` on paged lists: any JSON answer whose `meta.next_cursor` is set."""

from __future__ import annotations

import re

from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A Host header is client input: only a plain host[:port] goes into an absolute link.
_SANE_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


# `meta` ends every page envelope, so its next_cursor is the last one in the body. A quote inside a JSON
# string is always escaped, so this pattern cannot match inside a claim's text; cursors are base64url.
_NEXT_CURSOR = re.compile(rb'"next_cursor":\s*"([A-Za-z0-9_=-]+)"')


def next_cursor(body: bytes) -> str | None:
    """`meta.next_cursor` of a JSON page, or None (found without parsing the whole page)."""
    position = body.rfind(b'"next_cursor"')
    if position < 0:
        return None
    found = _NEXT_CURSOR.match(body, position)
    return found.group(1).decode("ascii") if found else None


def next_link(scope: Scope, cursor: str) -> str:
    """This request's URL with `cursor` replaced, as a Link header value."""
    url = URL(scope=scope).include_query_params(cursor=cursor)
    if not _SANE_HOST.fullmatch(url.netloc):
        url = URL(path=url.path, query=url.query)
    return f'<{url}>; rel="next"'


class PagingLinkMiddleware:
    """Add the next page's link to paged JSON answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def link(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                media_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if message["status"] == 200 and "json" in media_type.split(";")[0]:
                    held = message
                    return
            elif held is not None:
                start, held = held, None
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    cursor = next_cursor(message.get("body", b""))
                    if cursor is not None:
                        MutableHeaders(scope=start).append("Link", next_link(scope, cursor))
                await send(start)
            await send(message)

        await self.app(scope, receive, link)
