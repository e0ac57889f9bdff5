"""The last resort: an unexpected exception answers a 500 problem that still passes every other middleware."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem

logger = logging.getLogger("sectorfacts.errors")


class InternalErrorMiddleware:
    """Turn an exception into a 500 problem inside the stack, so it gets a request id, CORS and the rest.

    Starlette's own handler sits outside all middleware, where none of their headers would be added.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise  # too late for another answer: let the server close the connection
            logger.error("unhandled error", exc_info=exc)
            response = problem("internal-error", 500, "An unexpected error occurred; it has been logged.")
            await response(scope, receive, send)
