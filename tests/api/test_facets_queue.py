"""Facets never starve the other reads: counted facets wait in the slow-read queue while claim reads,
and facets answers this process kept, answer from the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from app.api import reading
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services import facets
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "sqlite", reason="the slow-read queue is SQLite's")

FACETS = ("/v1/claims/facets", "theme=talent-workforce&size=1000")
CLAIMS = [("/v1/claims/pkit-038", ""), ("/v1/claims", "theme=outlook&limit=5")]


@pytest.fixture
def app(seeded_url: str) -> Iterator[FastAPI]:
    made = create_app(Settings(database_url=seeded_url))
    yield made
    made.state.database.dispose()


async def _get(app: FastAPI, path: str, query: str) -> int:
    """One GET through ASGI; its status."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


@contextmanager
def _queue_held(database: Database) -> Iterator[None]:
    """Every slot of the slow-read queue held, as by slow reads running, until the block ends."""
    limiter = reading._limiter(database)
    holders = [object() for _ in range(int(limiter.total_tokens))]
    for holder in holders:
        limiter.acquire_on_behalf_of_nowait(holder)
    try:
        yield
    finally:
        for holder in holders:
            limiter.release_on_behalf_of(holder)


def test_claim_reads_answer_while_facets_wait_in_the_slow_read_queue(app: FastAPI) -> None:

    async def run() -> tuple[list[int], list[int]]:
        await _get(app, "/healthz", "")
        with _queue_held(app.state.database):
            waiting = [asyncio.create_task(_get(app, *FACETS)) for _ in range(8)]
            await asyncio.sleep(0.05)
            claims = [await asyncio.wait_for(_get(app, *claim), 5) for claim in CLAIMS for _ in range(5)]
            assert not any(task.done() for task in waiting)  # still queued behind the held slots
        return claims, list(await asyncio.wait_for(asyncio.gather(*waiting), 30))

    claims, facets = asyncio.run(run())
    assert claims == [200] * len(claims)
    assert facets == [200] * 8


def test_a_kept_facets_answer_is_served_while_the_queue_is_full(app: FastAPI) -> None:

    async def run() -> list[int]:
        assert await _get(app, *FACETS) == 200  # counted once, in the pool, and kept
        with _queue_held(app.state.database):
            return [await asyncio.wait_for(_get(app, *FACETS), 5) for _ in range(5)]

    assert asyncio.run(run()) == [200] * 5


def test_facets_requests_missing_together_count_the_answer_once_or_twice(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A herd of requests for an answer not kept yet (the first ones, or the first after a write) queue
    for the slow-read slots; each looks for the answer first, so only those already running count it."""
    counted: list[int] = []
    usual = facets._counted_facets

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return usual(*args, **kwargs)

    monkeypatch.setattr(facets, "_counted_facets", counting)

    async def run() -> list[int]:
        return list(await asyncio.gather(*(_get(app, *FACETS) for _ in range(20))))

    assert asyncio.run(run()) == [200] * 20
    assert 1 <= len(counted) <= reading.SLOW_READS_AT_ONCE


def test_facets_are_never_counted_on_the_event_loop(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even cheap to count (the seed), counting waits for a slot: an inline attempt in every request of
    a herd would be stopped at the budget, each costing the loop that CPU and its kept connection."""
    threads: list[int] = []
    usual = facets._counted_facets

    def counting(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return usual(*args, **kwargs)

    monkeypatch.setattr(facets, "_counted_facets", counting)

    async def run() -> tuple[int, int]:
        return await _get(app, *FACETS), threading.get_ident()

    status, loop_thread = asyncio.run(run())
    assert status == 200
    assert len(threads) == 1
    assert threads[0] != loop_thread
