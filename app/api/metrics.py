"""Prometheus metrics: requests and latency by route template and status, and time spent in the database."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from sqlalchemy import Engine, event

from app.db import Database

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STARTED = "_sectorfacts_query_started"


class DatabaseTime:
    """Seconds one request has spent waiting for database queries."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds = 0.0


# Set per request by the middleware; sync endpoints run in worker threads with a copy of the context,
# which still holds this same object, so their queries add to it.
_request_database_time: ContextVar[DatabaseTime | None] = ContextVar(
    "sectorfacts_database_time", default=None
)


class _DatabaseTimeBlock:
    """`database_time`'s block: a class rather than a generator, which cost 2.5 µs a request."""

    __slots__ = ("_timer", "_token")

    def __enter__(self) -> DatabaseTime:
        current = _request_database_time.get()
        if current is not None:
            self._token = None
            return current
        self._timer = DatabaseTime()
        self._token = _request_database_time.set(self._timer)
        return self._timer

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            _request_database_time.reset(self._token)


def database_time() -> AbstractContextManager[DatabaseTime]:
    """Collect the database time of everything run inside the block (the current request)."""
    return _DatabaseTimeBlock()


class Metrics:
    """One app's instruments, in a registry of its own (several apps may share a process in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        labels = ("method", "route", "status")
        self.requests = Counter(
            "sectorfacts_http_requests",
            "HTTP requests answered, by route template and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "sectorfacts_http_request_duration_seconds",
            "Time to answer an HTTP request (to the last body byte), by route template and status.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.request_database_time = Histogram(
            "sectorfacts_http_request_database_seconds",
            "Time one HTTP request spent in database queries, by route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # Counted by the request edge on the event loop's thread as a plain int, read when scraped: a
        # Gauge's inc and dec take a lock each (1.9 µs a request).
        self.answering = 0
        self.in_progress = Gauge(
            "sectorfacts_http_requests_in_progress", "HTTP requests being answered.", registry=self.registry
        )
        self.in_progress.set_function(lambda: self.answering)
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self.queries = Histogram(
            "sectorfacts_database_query_duration_seconds",
            "Time each database query took, failed and timed-out ones included.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, db_seconds: float
    ) -> None:
        """Count one answered request."""
        key = (method, route, status)
        if (children := self._children.get(key)) is None:
            # Resolving labels costs more than the observations; the label sets are few (route templates).
            labels = (method, route, str(status))
            children = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
                self.request_database_time.labels(method, route),
            )
            self._children[key] = children
        requests, latency, database = children
        requests.inc()
        latency.observe(seconds)
        database.observe(db_seconds)

    def instrument(self, database: Database) -> None:
        """Time every query the database's engines run."""
        engines = {id(engine): engine for engine in (database.read_engine, database.write_engine)}
        for engine in engines.values():
            self._instrument_engine(engine)

    def _instrument_engine(self, engine: Engine) -> None:
        def started(
            _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
        ) -> None:
            if context is not None:
                setattr(context, _STARTED, time.perf_counter())

        def finished(
            _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
        ) -> None:
            self._finish(context)

        def failed(exception_context: Any) -> None:
            self._finish(exception_context.execution_context)

        event.listen(engine, "before_cursor_execute", started)
        event.listen(engine, "after_cursor_execute", finished)
        event.listen(engine, "handle_error", failed)

    def _finish(self, context: Any) -> None:
        began = getattr(context, _STARTED, None)
        if began is None:
            return
        setattr(context, _STARTED, None)
        elapsed = time.perf_counter() - began
        self.queries.observe(elapsed)
        if (timer := _request_database_time.get()) is not None:
            timer.seconds += elapsed

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its media type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
