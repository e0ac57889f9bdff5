"""Reads run inline on the event loop within their budget, and move to the thread pool past it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Integer, column, text
from sqlalchemy.exc import DBAPIError

from app.api import reading
from app.api.reading import SLOW_READS_AT_ONCE, run_read
from app.config import Settings
from app.db import Database, create_database
from app.main import create_app
from app.query_deadline import _DEADLINE
from app.services.prepared import Prepared
from tests.databases import engine_under_test

COUNT_TO = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) SELECT count(*) FROM n"
)
_COUNTING = Prepared(text(COUNT_TO.format(":limit")).columns(column("count", Integer())))


@pytest.fixture
def database_with_budget(seeded_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The seeded database with the inline budget (ms) the test is parametrised with."""
    database = create_database(Settings(database_url=seeded_url, inline_read_budget_ms=request.param))
    yield database
    database.dispose()


class Attempts(list[int]):
    """The threads a read ran on, noted by the read itself. Its repr stays the same whatever it holds: the
    read is identified by its arguments as they were when it was called (a service's arguments never
    change while it runs), and reading.run_read may only build that key after an attempt."""

    def __repr__(self) -> str:
        return "attempts"


def _count_to(database: Database, limit: int, threads: list[int]) -> int:
    """A read whose cost grows with `limit`, noting the thread of each attempt."""
    threads.append(threading.get_ident())
    with database.read() as connection:
        return int(connection.execute(text(COUNT_TO.format(limit))).scalar_one())


async def _run(database: Database, limit: int) -> tuple[int, list[int], int]:
    threads = Attempts()
    found = await run_read(database, _count_to, database, limit, threads)
    return found, threads, threading.get_ident()


@pytest.mark.parametrize("database_with_budget", [1000], indirect=True)
def test_a_read_within_its_budget_runs_once_on_the_event_loop(database_with_budget: Database) -> None:
    found, threads, loop_thread = asyncio.run(_run(database_with_budget, 10))
    assert found == 10
    assert threads == [loop_thread]


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_a_read_over_its_budget_is_stopped_and_run_again_in_the_pool(database_with_budget: Database) -> None:
    # Millions of steps: far more than 1 ms on any machine, far less than the 5 s query time limit.
    found, threads, loop_thread = asyncio.run(_run(database_with_budget, 3_000_000))
    assert found == 3_000_000
    assert threads[0] == loop_thread
    assert len(threads) == 2
    assert threads[-1] != loop_thread


def _count_waiting(database: Database, limit: int, threads: list[int]) -> int:
    """A read that spends little CPU but long on the clock: every 100th row waits 2 ms, as a read on the
    event loop waits for the GIL while a thread-pool read holds it."""
    threads.append(threading.get_ident())

    def wait_at(row: int) -> int:
        if row % 100 == 0:
            time.sleep(0.002)
        return row

    with database.read() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.create_function("wait_at", 1, wait_at)
        counting = COUNT_TO.format(limit).replace("count(*)", "count(wait_at(i))")
        return int(connection.execute(text(counting)).scalar_one())


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [20], indirect=True)
def test_time_spent_waiting_does_not_count_against_the_budget(database_with_budget: Database) -> None:
    async def run() -> tuple[int, list[int], int, float]:
        threads = Attempts()
        began = time.monotonic()
        found = await run_read(database_with_budget, _count_waiting, database_with_budget, 4_000, threads)
        return found, threads, threading.get_ident(), time.monotonic() - began

    found, threads, loop_thread, took = asyncio.run(run())
    assert found == 4_000
    assert took > 0.060  # 40 waits of 2 ms: three times the 20 ms budget on the clock
    assert threads == [loop_thread]  # yet never stopped: it ran once, inline


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_after_an_offload_the_same_read_goes_straight_to_the_pool_and_others_still_try_inline(
    database_with_budget: Database,
) -> None:
    asyncio.run(_run(database_with_budget, 3_000_000))  # offloaded, and remembered
    _, threads, loop_thread = asyncio.run(_run(database_with_budget, 3_000_000))
    assert len(threads) == 1  # no second stopped attempt on the loop
    assert threads[0] != loop_thread
    _, threads, loop_thread = asyncio.run(_run(database_with_budget, 10))  # another read: inline
    assert threads == [loop_thread]


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_a_read_still_slow_in_the_pool_stays_remembered(database_with_budget: Database) -> None:
    """Each pooled run measures the read again: one still over budget stays remembered, so it does not
    pay a stopped attempt on the loop on any later call."""

    async def five_calls() -> tuple[list[list[int]], int]:
        seen: list[list[int]] = []
        for _ in range(5):
            threads = Attempts()
            await run_read(database_with_budget, _count_to, database_with_budget, 3_000_000, threads)
            seen.append(threads)
        return seen, threading.get_ident()

    seen, loop_thread = asyncio.run(five_calls())
    tried_inline = [threads[0] == loop_thread for threads in seen]
    assert tried_inline == [True, False, False, False, False]
    assert all(threads[-1] != loop_thread for threads in seen)  # each answered by the pool


class _Costs:
    """The limit of each attempt of a read, in turn; the same read (same repr) whatever is left."""

    def __init__(self, *limits: int) -> None:
        self.limits = list(limits)

    def __repr__(self) -> str:
        return "costs"


def _count_as_costs_say(database: Database, costs: _Costs, threads: list[int]) -> int:
    limit = costs.limits.pop(0)
    threads.append(threading.get_ident())
    with database.read() as connection:
        return int(connection.execute(text(COUNT_TO.format(limit))).scalar_one())


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
# 50 ms: room for the pool to open its first connection within the budget.
@pytest.mark.parametrize("database_with_budget", [50], indirect=True)
def test_a_read_whose_pooled_run_fits_the_budget_is_forgotten(database_with_budget: Database) -> None:
    """One slow attempt (a garbage collection, say) must not send the next calls to the pool,
    where a busy event loop keeps each waiting for the GIL."""

    async def three_calls() -> tuple[list[list[int]], int]:
        costs = _Costs(3_000_000, 10, 10)  # stopped inline; cheap in the pool; cheap again
        seen: list[list[int]] = []
        for _ in range(2):
            threads = Attempts()
            await run_read(database_with_budget, _count_as_costs_say, database_with_budget, costs, threads)
            seen.append(threads)
        return seen, threading.get_ident()

    (first, second), loop_thread = asyncio.run(three_calls())
    assert first[0] == loop_thread  # stopped inline,
    assert first[1] != loop_thread  # run again in the pool
    assert second == [loop_thread]  # the pooled run was cheap: inline again


def _pooled_runs_cost(monkeypatch: pytest.MonkeyPatch, budgets: float, budget_s: float) -> None:
    """Pooled runs report this much CPU time (in budgets), whatever they really took."""

    def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
        return call(*args, **kwargs), budgets * budget_s

    monkeypatch.setattr(reading, "_timed", timed)


async def _call_while_the_pool_is_busy(
    database: Database, costs: _Costs, release_after_s: float
) -> tuple[list[int], int]:
    """Remember a read as slow, then call it again while every pool slot is held (released after
    `release_after_s`); the threads its attempts ran on, and the loop's."""
    await run_read(database, _count_as_costs_say, database, costs, Attempts())
    limiter = database.slow_read_queues[id(asyncio.get_running_loop())]
    holders = [object() for _ in range(int(limiter.total_tokens))]
    for holder in holders:
        limiter.acquire_on_behalf_of_nowait(holder)

    async def release() -> None:
        await asyncio.sleep(release_after_s)
        for holder in holders:
            limiter.release_on_behalf_of(holder)

    releasing = asyncio.create_task(release())
    threads = Attempts()
    # Bounded: queued for the pool, it waits for the slots held here.
    await asyncio.wait_for(run_read(database, _count_as_costs_say, database, costs, threads), timeout=10)
    await releasing
    return threads, threading.get_ident()


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [50], indirect=True)
def test_a_read_remembered_as_slow_tries_inline_while_the_pool_is_busy(
    database_with_budget: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calls sent to a busy pool queue behind slow reads, each waiting for the GIL while the loop runs."""
    _pooled_runs_cost(monkeypatch, 1.5, 0.050)  # over budget, but less than HEAVY_READ_BUDGETS
    costs = _Costs(3_000_000, 3_000_000, 10)  # stopped inline, slow in the pool: remembered; then cheap
    threads, loop_thread = asyncio.run(_call_while_the_pool_is_busy(database_with_budget, costs, 0.3))
    assert threads == [loop_thread]


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [50], indirect=True)
def test_a_read_remembered_as_several_budgets_waits_for_a_busy_pool(
    database_with_budget: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trying it inline first would only stop it at the budget, and replace the loop's connection."""
    assert reading.HEAVY_READ_BUDGETS <= 3
    _pooled_runs_cost(monkeypatch, 3, 0.050)
    costs = _Costs(3_000_000, 3_000_000, 3_000_000)
    threads, loop_thread = asyncio.run(_call_while_the_pool_is_busy(database_with_budget, costs, 0.2))
    assert len(threads) == 1
    assert threads[0] != loop_thread  # queued for the pool, no attempt on the loop


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_slow_reads_queue_rather_than_all_share_the_cpu(database_with_budget: Database) -> None:
    running: list[int] = []
    most: list[int] = [0]
    lock = threading.Lock()

    def slow(limit: int) -> int:
        on_loop = threading.get_ident() == loop_thread[0]
        if not on_loop:
            with lock:
                running.append(1)
                most[0] = max(most[0], len(running))
        try:
            with database_with_budget.read() as connection:
                return int(connection.execute(text(COUNT_TO.format(limit))).scalar_one())
        finally:
            if not on_loop:
                with lock:
                    running.pop()

    loop_thread: list[int] = []

    async def many() -> list[int]:
        loop_thread.append(threading.get_ident())
        # Different limits: different reads, so none is sent to the pool only by an earlier one's offload.
        calls = [
            run_read(database_with_budget, slow, 1_000_000 + index) for index in range(3 * SLOW_READS_AT_ONCE)
        ]
        return list(await asyncio.gather(*calls))

    answers = asyncio.run(many())
    assert answers == [1_000_000 + index for index in range(3 * SLOW_READS_AT_ONCE)]
    assert 1 <= most[0] <= SLOW_READS_AT_ONCE


@pytest.mark.parametrize("database_with_budget", [1000], indirect=True)
def test_a_failing_read_fails_once_and_is_not_retried(database_with_budget: Database) -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        with database_with_budget.read() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))

    # SQLite reports a missing table as an OperationalError, PostgreSQL as a ProgrammingError.
    with pytest.raises(DBAPIError, match="no_such_table"):
        asyncio.run(run_read(database_with_budget, broken))
    assert calls == [1]


READ_PATHS = [
    "/v1/claims?theme=sector-growth",
    "/v1/claims?theme=sector-growth&entity=pakistan&limit=3",
    "/v1/claims/pkit-001",
    "/v1/search?q=freelancers",
    "/v1/claims/facets?theme=outlook&q=growth",
    "/v1/entities/careem",
    "/v1/entities/careem/related",
    "/v1/matrix?rows=theme&cols=kind",
]


def test_every_read_answers_the_same_whether_it_runs_inline_or_in_the_pool(seeded_url: str) -> None:
    # A budget of a microsecond stops every inline attempt: each answer then comes from the pool.
    answers = []
    for budget in (1000, 0.001, 0):
        settings = Settings(database_url=seeded_url, inline_read_budget_ms=budget)
        with TestClient(create_app(settings)) as client:
            answers.append([(client.get(path).status_code, client.get(path).json()) for path in READ_PATHS])
    assert all(status == 200 for status, _ in answers[0])
    assert answers[0] == answers[1] == answers[2]


def _connection_of(database: Database, seen: list[tuple[object, bool | None]]) -> int:
    """A read that notes the DBAPI connection it ran on and whether it was in a transaction."""
    with database.read() as connection:
        raw = connection.connection.dbapi_connection
        seen.append((raw, getattr(raw, "in_transaction", None)))
        return int(connection.execute(text("SELECT 1")).scalar_one())


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1000], indirect=True)
def test_inline_reads_reuse_the_loop_threads_connection_in_a_fresh_transaction(
    database_with_budget: Database,
) -> None:
    seen: list[tuple[object, bool | None]] = []

    async def three_reads() -> None:
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        threads = Attempts()
        await run_read(database_with_budget, _count_to, database_with_budget, 10, threads)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)

    asyncio.run(three_reads())
    (first, first_open), (second, second_open), (third, third_open) = seen
    assert first is second is third  # one kept connection, not a checkout from the pool each time
    assert [first_open, second_open, third_open] == [True, True, True]  # each in its own transaction
    (kept,) = database_with_budget.inline_connections.values()
    assert not getattr(kept.connection.dbapi_connection, "in_transaction", True)  # none left open


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_a_stopped_inline_read_leaves_the_kept_connection_usable(database_with_budget: Database) -> None:
    async def stopped_then_small() -> tuple[int, int]:
        big = await run_read(database_with_budget, _count_to, database_with_budget, 3_000_000, [])
        small = await run_read(database_with_budget, _count_to, database_with_budget, 10, [])
        return big, small

    assert asyncio.run(stopped_then_small()) == (3_000_000, 10)
    for kept in database_with_budget.inline_connections.values():
        assert not kept.invalidated
        assert not getattr(kept.connection.dbapi_connection, "in_transaction", True)


def _expire_then_fail(database: Database) -> None:
    """A read whose statement's deadline has passed when it fails, as an interrupted read's has; SQLite
    consults the progress handler at every step here, so a ROLLBACK run under that deadline is stopped."""
    with database.read() as connection:
        _COUNTING.scalar(connection, limit=10)
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        deadline = connection.info[_DEADLINE]
        raw.set_progress_handler(lambda: time.monotonic() > deadline[0], 1)
        deadline[0] = 0.0
        raise RuntimeError("the read failed after its deadline passed")


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1000], indirect=True)
def test_a_read_failing_past_its_deadline_still_ends_its_transaction(database_with_budget: Database) -> None:
    """With the passed deadline still armed, SQLite's progress handler stopped the ROLLBACK too, which
    left the kept connection in a transaction and failed every later read on it (found under load)."""
    seen: list[tuple[object, bool | None]] = []

    async def fail_then_read() -> None:
        with pytest.raises(RuntimeError):
            await run_read(database_with_budget, _expire_then_fail, database_with_budget)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)

    asyncio.run(fail_then_read())
    assert [in_transaction for _, in_transaction in seen] == [True, True]
    for kept in database_with_budget.inline_connections.values():
        assert not getattr(kept.connection.dbapi_connection, "in_transaction", True)


def _prepared_count_to(database: Database, limit: int) -> int:
    """`_count_to` as the hot reads run: a prepared statement straight on the DBAPI cursor."""
    with database.read() as connection:
        return int(_COUNTING.scalar(connection, limit=limit) or 0)


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_stopped_prepared_reads_leave_the_kept_connection_usable(database_with_budget: Database) -> None:
    async def stopped_then_small() -> list[int]:
        found = []
        for _ in range(3):
            found.append(
                await run_read(database_with_budget, _prepared_count_to, database_with_budget, 3_000_000)
            )
            found.append(await run_read(database_with_budget, _prepared_count_to, database_with_budget, 10))
        return found

    assert asyncio.run(stopped_then_small()) == [3_000_000, 10] * 3


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="inline reads are SQLite's")
@pytest.mark.parametrize("database_with_budget", [1], indirect=True)
def test_a_stopped_inline_read_gets_the_loop_a_fresh_connection(database_with_budget: Database) -> None:
    """Python's sqlite3 keeps a statement stopped mid-read marked in use in its statement cache, so that
    SQL would be compiled again on every later run on that connection (bench/interrupted_statements.py)."""
    seen: list[tuple[object, bool | None]] = []

    async def read_stop_read() -> None:
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        assert await run_read(database_with_budget, _prepared_count_to, database_with_budget, 3_000_000)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)
        await run_read(database_with_budget, _connection_of, database_with_budget, seen)

    asyncio.run(read_stop_read())
    (before, _), (still, _), (after, _), (again, _) = seen
    assert before is still  # kept while no statement is stopped
    assert after is not before  # replaced once one was
    assert after is again


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="SQLite's time limits stop statements")
def test_a_pooled_connection_whose_statement_was_stopped_is_reconnected(seeded_url: str) -> None:
    database = create_database(Settings(database_url=seeded_url, query_timeout_ms=1, inline_read_budget_ms=0))
    try:
        with database.read() as connection:
            stopped = connection.connection.dbapi_connection
            with pytest.raises(DBAPIError, match="interrupted"):
                _COUNTING.scalar(connection, limit=3_000_000)
        with database.read() as connection:  # the pool hands out the connection returned last
            assert connection.connection.dbapi_connection is not stopped
            assert _COUNTING.scalar(connection, limit=10) == 10
        with database.read() as connection:
            assert connection.connection.dbapi_connection is not stopped
    finally:
        database.dispose()
