"""A bare ASGI app that spends a fixed CPU time on each request, as a list page does, and answers 12 KB.

Run as `uvicorn bench.peers.busy:app` (BENCH_BUSY_US: microseconds of CPU a request, default 600).
"""

from __future__ import annotations

import os
import time
from typing import Any

_BUSY_S = int(os.environ.get("BENCH_BUSY_US", "600")) / 1e6
_BODY = b"x" * 12_000
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Busy for `_BUSY_S` of CPU on the event loop, then the body (lifespan messages ignored)."""
    if scope["type"] != "http":
        return
    ends = time.thread_time() + _BUSY_S
    while time.thread_time() < ends:
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
