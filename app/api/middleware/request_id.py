"""X-Request-ID on every answer and log line; a client's own id is kept when sane."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
# The id of the request being answered, for log lines (None outside requests); set by HttpMiddleware.
current_request_id: ContextVar[str | None] = ContextVar("sectorfacts_request_id", default=None)
# Sane: a short token of URL-safe characters, so it goes into logs and headers as it is.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=@/-]{0,127}")


def is_sane(request_id: str) -> bool:
    """True for an id a client may choose (up to 128 token characters)."""
    return _SANE.fullmatch(request_id) is not None


def new_request_id() -> str:
    """A fresh random id: 128 random bits as 32 hex digits (shaped like uuid4().hex, which costs more and
    adds nothing here)."""
    return os.urandom(16).hex()
