"""Rate limiting per client (`limits` fixed windows): a 429 problem with Retry-After, and the quota on every
counted answer in the IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-09 and later):
`RateLimit-Policy: "default";q=<quota>;w=<window s>` and `RateLimit: "default";r=<remaining>;t=<reset s>`."""

from __future__ import annotations

import logging
import math
import time

import anyio.to_thread
import limits
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.middleware.common import is_operational
from app.api.problems import problem

logger = logging.getLogger("sectorfacts.ratelimit")
# The one policy's name: a structured-field string that `RateLimit` refers back to.
POLICY_NAME = "default"


class RateLimitMiddleware:
    """Count each client's requests (by address) against one limit; health and metrics are never limited."""

    def __init__(self, app: ASGIApp, limit: str, storage_uri: str) -> None:
        self.app = app
        self.item = limits.parse(limit)
        storage = storage_from_string(storage_uri)
        # Counting in memory is instant; a networked storage must not block the event loop.
        self.inline = isinstance(storage, MemoryStorage)
        self.limiter = FixedWindowRateLimiter(storage)
        self.policy = f'"{POLICY_NAME}";q={self.item.amount};w={self.item.get_expiry()}'

    def _count(self, client: str) -> tuple[bool, int, int]:
        allowed = self.limiter.hit(self.item, client)
        stats = self.limiter.get_window_stats(self.item, client)
        return allowed, stats.remaining, max(0, math.ceil(stats.reset_time - time.time()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_operational(scope):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        try:
            if self.inline:
                allowed, remaining, reset = self._count(client)
            else:
                allowed, remaining, reset = await anyio.to_thread.run_sync(self._count, client)
        except Exception:
            # Fail open: an unreachable counter store must not take the API down with it.
            logger.exception("rate limit storage failed; request allowed")
            await self.app(scope, receive, send)
            return
        headers = {"RateLimit-Policy": self.policy, "RateLimit": f'"{POLICY_NAME}";r={remaining};t={reset}'}
        if not allowed:
            retry_after = str(max(reset, 1))
            window = self.item.get_expiry()
            detail = f"More than {self.item.amount} requests in {window} s; retry after {retry_after} s."
            response = problem(
                "too-many-requests", 429, detail, headers=headers | {"Retry-After": retry_after}
            )
            await response(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, add_headers)
