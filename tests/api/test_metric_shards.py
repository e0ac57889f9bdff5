"""The lock-free per-thread metric shards: exact counts from many threads, Prometheus's bucket rules."""

from __future__ import annotations

import threading

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.api.metrics import LATENCY_BUCKETS, Metrics


def _samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_no_observation_is_lost_when_many_threads_count_at_once() -> None:
    metrics = Metrics()
    threads, each = 8, 5_000
    start = threading.Barrier(threads)

    def count() -> None:
        start.wait()
        for i in range(each):
            metrics.observe_request("GET", "/v1/claims", 200, 0.002, 0.001)
            metrics.queries.observe((), 0.0001 * (i % 3))

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    samples = _samples(metrics)
    route = (("method", "GET"), ("route", "/v1/claims"), ("status", "200"))
    assert samples[("sectorfacts_http_requests_total", route)] == threads * each
    assert samples[("sectorfacts_http_request_duration_seconds_count", route)] == threads * each
    assert samples[("sectorfacts_database_query_duration_seconds_count", ())] == threads * each
    database = (("method", "GET"), ("route", "/v1/claims"))
    assert (
        abs(samples[("sectorfacts_http_request_database_seconds_sum", database)] - threads * each * 0.001)
        < 1e-6
    )


def test_buckets_are_cumulative_and_a_value_on_a_bound_counts_in_that_bucket() -> None:
    metrics = Metrics()
    for seconds in (0.0005, 0.001, 0.003, 0.2, 99.0):
        metrics.observe_request("GET", "/v1/themes", 200, seconds, 0.0)
    samples = _samples(metrics)
    route = (("method", "GET"), ("route", "/v1/themes"), ("status", "200"))

    def bucket(le: str) -> float:
        return samples[("sectorfacts_http_request_duration_seconds_bucket", (("le", le), *route))]

    assert bucket("0.001") == 2  # 0.0005 and 0.001: `le` is "less than or equal"
    assert bucket("0.0025") == 2
    assert bucket("0.005") == 3
    assert bucket("0.25") == 4
    assert bucket("10.0") == 4
    assert bucket("+Inf") == 5
    assert (
        len([key for key in samples if key[0] == "sectorfacts_http_request_duration_seconds_bucket"])
        == len(LATENCY_BUCKETS) + 1
    )
    assert abs(samples[("sectorfacts_http_request_duration_seconds_sum", route)] - 99.2045) < 1e-9


def test_queries_are_shown_before_the_first_and_requests_in_progress_are_read_when_scraped() -> None:
    metrics = Metrics()
    assert _samples(metrics)[("sectorfacts_database_query_duration_seconds_count", ())] == 0
    metrics.answering = 3
    assert _samples(metrics)[("sectorfacts_http_requests_in_progress", ())] == 3
