"""`Link: <…>; rel="next"` for paged lists: any JSON answer whose `meta.next_cursor` is set (used by
`answers.AnswerPipeline`)."""

from __future__ import annotations

import re

from starlette.datastructures import URL
from starlette.types import Scope

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
