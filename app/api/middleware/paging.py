"""`Link: <…>; rel="next"` for paged lists: any JSON answer whose `meta.next_cursor` is set (used by
`http.HttpMiddleware`)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus

from starlette.types import Scope

from app.api.middleware.common import header

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


# What a query string may hold as it is (RFC 3986 query characters, and `%` of escapes already made);
# anything else, raw non-ASCII bytes included, is percent-encoded so the header stays ASCII.
_QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"
# What a path segment may hold as it is (RFC 3986 pchar and `/`); everything else, `%` included, is escaped.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_UNSAFE = re.compile(r"[^A-Za-z0-9/?:@!$&'()*+,;=\-._~%]")
# A query of plain parameters: no escapes, no `+`, no empty parts. Kept as it is when it has no cursor.
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9/?:@!$'()*,;=\-._~]+(?:&[A-Za-z0-9/?:@!$'()*,;=\-._~]+)*")
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9/:@!$&'()*+,;=\-._~]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _netloc(scope: Scope) -> str | None:
    """The Host header when it is a plain host[:port], else the server's address, else None."""
    host = header(scope, b"host")
    if host is not None and _SANE_HOST.fullmatch(host):
        return host
    server = scope.get("server")
    if server is None:
        return None
    name, port = server
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    netloc = name if port == _DEFAULT_PORTS.get(scope.get("scheme", "http")) else f"{name}:{port}"
    return netloc if _SANE_HOST.fullmatch(netloc) else None


def _safe(part: str) -> str:
    # The query string's bytes were decoded as latin-1: encoded back the same way, each escapes one byte.
    return quote(part, safe=_QUERY_SAFE, encoding="latin-1") if _UNSAFE.search(part) else part


def _is_cursor(part: str) -> bool:
    name = part.partition("=")[0]
    return (unquote_plus(name) if "%" in name or "+" in name else name) == "cursor"


def next_link(scope: Scope, cursor: str) -> str:
    """This request's URL with `cursor` replaced (the other parameters kept as the client wrote them),
    as a Link header value. Built by hand: parsing and re-encoding the query cost more than the page's
    read."""
    query = scope.get("query_string", b"").decode("latin-1")
    plain = _PLAIN_QUERY.fullmatch(query) is not None
    if plain and "cursor" in query:
        # Nothing escaped and nothing to escape: a cursor parameter is named as it is written.
        query = "&".join(part for part in query.split("&") if part.partition("=")[0] != "cursor")
    elif not plain:
        query = "&".join(_safe(part) for part in query.split("&") if part and not _is_cursor(part))
    cursor = cursor.replace("=", "%3D")  # cursors are base64url
    query = f"{query}&cursor={cursor}" if query else f"cursor={cursor}"
    # The decoded path, escaped again: a header holds Latin-1 only, and a key such as a full-width
    # entity name resolves (case- and width-insensitively) to a page with a next one.
    path = scope["path"]
    if _UNSAFE_IN_PATH.search(path):
        path = quote(path, safe=_PATH_SAFE)
    netloc = _netloc(scope)
    url = f"{path}?{query}" if netloc is None else f"{scope.get('scheme', 'http')}://{netloc}{path}?{query}"
    return f'<{url}>; rel="next"'
