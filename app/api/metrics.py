"""Prometheus metrics: requests and latency by route template and status, and time spent in the database."""

from __future__ import annotations

import math
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from itertools import accumulate
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Metric,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
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
    """`database_time`'s block: a class rather than a `contextmanager` generator, which costs more per
    request."""

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


def _bound_label(bound: float) -> str:
    """A bucket's `le` label as Prometheus writes it ("0.001", "10.0", "+Inf")."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


class _ShardedHistogram:
    """One histogram's observations by label values, without locks: each thread adds to a shard of its
    own, and a scrape sums the shards.

    prometheus_client takes a lock for every increment, several a request, which shows in the CPU cost of
    a cheap read. Here a thread only ever writes its own shard, so no increment is lost, and the scrape
    reads each shard whole (a dict copy, which the GIL makes atomic).
    """

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.bounds = (*buckets, math.inf)
        self._local = threading.local()
        self._shards: list[dict[tuple[str, ...], list[float]]] = []
        self._joining = threading.Lock()  # taken once per thread, when its shard is made

    def observe(self, labels: tuple[str, ...], value: float) -> None:
        """Count `value` under `labels`."""
        try:
            shard: dict[tuple[str, ...], list[float]] = self._local.shard
        except AttributeError:
            shard = self._local.shard = {}
            with self._joining:
                self._shards.append(shard)
        counts = shard.get(labels)
        if counts is None:
            # One count per bucket (not cumulative), then the sum.
            counts = shard[labels] = [0.0] * (len(self.bounds) + 1)
        counts[bisect_left(self.bounds, value)] += 1
        counts[-1] += value

    def totals(self) -> dict[tuple[str, ...], list[float]]:
        """Every label set's bucket counts and sum, over all threads."""
        with self._joining:
            shards = list(self._shards)
        summed: dict[tuple[str, ...], list[float]] = {}
        for shard in shards:
            for labels, shard_counts in shard.copy().items():
                counts = shard_counts.copy()
                if (total := summed.get(labels)) is None:
                    summed[labels] = counts
                else:
                    summed[labels] = [a + b for a, b in zip(total, counts, strict=True)]
        return summed

    def family(
        self, name: str, documentation: str, label_names: tuple[str, ...], always: bool = False
    ) -> HistogramMetricFamily:
        """The histograms as Prometheus exposes them (cumulative buckets); with `always`, an unlabelled
        one is shown before its first observation."""
        family = HistogramMetricFamily(name, documentation, labels=label_names)
        totals = self.totals()
        if always and not totals:
            totals[()] = [0.0] * (len(self.bounds) + 1)
        for labels, counts in sorted(totals.items()):
            cumulative = list(accumulate(counts[:-1]))
            buckets = [(_bound_label(b), c) for b, c in zip(self.bounds, cumulative, strict=True)]
            family.add_metric(list(labels), buckets, counts[-1])
        return family

    def counts(self) -> dict[tuple[str, ...], float]:
        """How many observations each label set has."""
        return {labels: sum(counts[:-1]) for labels, counts in self.totals().items()}


class Metrics:
    """One app's instruments, in a registry of its own (several apps may share a process in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        # By (method, route, status); the request counter is the latency histogram's count.
        self.latency = _ShardedHistogram(LATENCY_BUCKETS)
        # By (method, route).
        self.request_database_time = _ShardedHistogram(LATENCY_BUCKETS)
        self.queries = _ShardedHistogram(LATENCY_BUCKETS)
        # Counted by HttpMiddleware on the event loop's thread as a plain int (one thread, so no lock),
        # read when scraped.
        self.answering = 0
        self.registry.register(_Collector(self))

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, db_seconds: float
    ) -> None:
        """Count one answered request."""
        self.latency.observe((method, route, str(status)), seconds)
        self.request_database_time.observe((method, route), db_seconds)

    def instrument(self, database: Database) -> None:
        """Time every query the database's engines run."""
        engines = {id(engine): engine for engine in (*database.read_engines, database.write_engine)}
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
        self.queries.observe((), elapsed)
        if (timer := _request_database_time.get()) is not None:
            timer.seconds += elapsed

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its media type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _Collector(Collector):
    """Hands the app's sharded histograms to Prometheus when scraped."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return self.collect()

    def collect(self) -> Iterable[Metric]:
        metrics = self.metrics
        labels = ("method", "route", "status")
        requests = CounterMetricFamily(
            "sectorfacts_http_requests",
            "HTTP requests answered, by route template and status.",
            labels=labels,
        )
        for label_values, count in sorted(metrics.latency.counts().items()):
            requests.add_metric(list(label_values), count)
        yield requests
        yield metrics.latency.family(
            "sectorfacts_http_request_duration_seconds",
            "Time to answer an HTTP request (to the last body byte), by route template and status.",
            labels,
        )
        yield metrics.request_database_time.family(
            "sectorfacts_http_request_database_seconds",
            "Time one HTTP request spent in database queries, by route template.",
            ("method", "route"),
        )
        yield GaugeMetricFamily(
            "sectorfacts_http_requests_in_progress", "HTTP requests being answered.", value=metrics.answering
        )
        yield metrics.queries.family(
            "sectorfacts_database_query_duration_seconds",
            "Time each database query took, failed and timed-out ones included.",
            (),
            always=True,
        )
