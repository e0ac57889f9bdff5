"""The fast lane: the hottest GET routes answered in one call from the app's door, not through the stack
of ASGI layers.

A hot read (a claim, a page of claims, a search, an entity) passes the same steps as through the stack,
in the same order: the request edge (request id, security headers, metrics, access log), the answer
pipeline (paging link, gzip, Cache-Control, ETag and 304, the last-resort 500) and the hot route table
(`app.api.routing.HotRouteTable`). What it skips is the layers' plumbing: FastAPI's and Starlette's
outer middleware (server errors, telemetry, body limit) that a GET without telemetry does nothing in,
a `send` closure per layer, and the answer's start and body passed message by message. In-process that
was about a third of a single claim's CPU (docs/performance.md).

The lane is off when a middleware between the edge and the pipeline has work to do on every request
(CORS, rate limits): those requests go down the stack, where `HotRoutes` still finds the hot routes.
A request the route's parser leaves to FastAPI goes down the stack too.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app.api.metrics import database_time
from app.api.middleware.answers import AnswerPipeline
from app.api.middleware.edge import RequestEdge
from app.api.routing import HotRouteTable


class FastLane:
    """The edge, the pipeline and the hot routes, for one app, called in turn without ASGI between them."""

    def __init__(self, edge: RequestEdge, pipeline: AnswerPipeline, table: HotRouteTable) -> None:
        self.edge = edge
        self.pipeline = pipeline
        self.table = table

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer a GET on a hot route; False, having sent nothing, for any other request."""
        found = self.table.match(scope)
        if found is None:
            return False
        visit = self.edge.visit(scope, send)
        answer = self.pipeline.answer(scope, visit.send)
        declined = False
        with database_time() as spent:
            try:
                response = await self.table.answer(scope, receive, *found)
                if response is None:
                    declined = True
                else:
                    await answer.respond(response, scope, receive)
            except Exception as error:
                await self.pipeline.last_resort(error, answer, scope, receive)
            finally:
                if declined:
                    visit.abandon()
                else:
                    visit.end(spent.seconds)
        return not declined


class SectorFactsAPI(FastAPI):
    """FastAPI, with the fast lane at its door when one is set (`create_app` sets it)."""

    fast_lane: FastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.fast_lane
        if lane is not None and scope["type"] == "http" and scope["method"] == "GET":
            # What FastAPI and Starlette set before their middleware run.
            if self.root_path:
                scope["root_path"] = self.root_path
            scope["app"] = self
            if await lane.answer(scope, receive, send):
                return
        await super().__call__(scope, receive, send)
