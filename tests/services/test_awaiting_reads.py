"""PostgreSQL reads run on the event loop in a greenlet, and the loop serves other reads while the server
answers one (app/api/reading.py, app/loop_waits.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.api.reading import run_read, run_slow_read
from app.api.writing import run_write
from app.config import Settings
from app.db import THREAD_WRITES, Database, create_database
from app.loop_waits import LoopConnection
from app.services import migrations
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL's awaiting reads")


@pytest.fixture
def database(fresh_url: str) -> Iterator[Database]:
    """A migrated database whose reads on the loop may hold two connections at once."""
    database = create_database(Settings(database_url=fresh_url, pool_size=2))
    migrations.upgrade(database)
    yield database
    database.dispose()


def _sleep_then_count(database: Database, seconds: float, finished: list[str], name: str) -> int:
    """A read that keeps the server busy for `seconds`, then counts the claims; notes when it finished."""
    with database.read() as connection:
        connection.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
        count = int(connection.execute(text("SELECT count(*) FROM claim")).scalar_one())
    finished.append(name)
    return count


def _backend(database: Database) -> tuple[int, int]:
    """The server process of the read's connection, and of a read nested in it."""
    with database.read() as connection:
        outer = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        with database.read() as nested:
            inner = int(nested.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return outer, inner


def _thread_and_driver(database: Database) -> tuple[int, type]:
    with database.read() as connection:
        connection.execute(text("SELECT 1"))
        return threading.get_ident(), type(connection.connection.dbapi_connection)


def test_reads_run_on_the_event_loops_thread_on_awaiting_connections(database: Database) -> None:
    async def read() -> tuple[tuple[int, type], int]:
        return await run_read(database, _thread_and_driver, database), threading.get_ident()

    (thread, driver), loop_thread = asyncio.run(read())
    assert thread == loop_thread
    assert issubclass(driver, LoopConnection)


def test_the_loop_answers_quick_reads_while_the_server_works_on_a_slow_one(database: Database) -> None:
    finished: list[str] = []

    async def reads() -> list[int]:
        slow = asyncio.create_task(run_read(database, _sleep_then_count, database, 0.5, finished, "slow"))
        await asyncio.sleep(0.05)  # the slow read has sent its statement and waits for the server
        quick = [run_read(database, _sleep_then_count, database, 0, finished, f"quick {n}") for n in range(5)]
        return [*(await asyncio.gather(*quick)), await slow]

    assert asyncio.run(reads()) == [0] * 6
    assert finished == [f"quick {n}" for n in range(5)] + ["slow"]


def test_at_most_pool_size_reads_hold_a_connection_at_once(database: Database) -> None:
    """The rest wait on the loop for a slot; every read is answered, on at most two server processes."""
    holding = [0]
    most = [0]

    def read_and_note(database: Database) -> int:
        with database.read() as connection:
            holding[0] += 1
            most[0] = max(most[0], holding[0])
            try:
                connection.execute(text("SELECT pg_sleep(0.05)"))
                return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
            finally:
                holding[0] -= 1

    async def reads() -> list[int]:
        return list(await asyncio.gather(*(run_read(database, read_and_note, database) for _ in range(8))))

    backends = asyncio.run(reads())
    assert most[0] == 2
    assert len(set(backends)) == 2
    assert len(database.awaiting_connections) == 2  # kept for the next reads


def test_a_nested_read_runs_on_the_outer_reads_connection(database: Database) -> None:
    outer, inner = asyncio.run(run_read(database, _backend, database))
    assert outer == inner


def test_a_slow_read_runs_on_the_loop_too(database: Database) -> None:
    """`run_slow_read` (facets) offloads to a thread only where the loop would wait for the database."""

    async def read() -> tuple[tuple[int, type], int]:
        return await run_slow_read(database, _thread_and_driver, database), threading.get_ident()

    (thread, _driver), loop_thread = asyncio.run(read())
    assert thread == loop_thread


def test_a_failing_read_leaves_its_connection_usable(database: Database) -> None:
    def broken(database: Database) -> None:
        with database.read() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))

    async def reads() -> tuple[int, int]:
        before, _ = await run_read(database, _backend, database)
        with pytest.raises(DBAPIError, match="no_such_table"):
            await run_read(database, broken, database)
        after, _ = await run_read(database, _backend, database)
        return before, after

    before, after = asyncio.run(reads())
    assert before == after


def test_a_read_cancelled_while_the_server_works_is_stopped_there_and_its_connection_dropped(
    database: Database,
) -> None:
    """A cancelled request's read is abandoned mid-statement: the server stops the statement, and the
    connection, in an unknown state, is closed rather than lent to the next read."""
    backends: list[int] = []

    def sleep_long(database: Database) -> None:
        with database.read() as connection:
            backends.append(int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one()))
            connection.execute(text("SELECT pg_sleep(30)"))

    async def reads() -> int:
        slow = asyncio.create_task(run_read(database, sleep_long, database))
        await asyncio.sleep(0.3)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        after, _ = await run_read(database, _backend, database)
        return after

    after = asyncio.run(reads())
    (cancelled,) = backends
    assert after != cancelled
    still_running = 1
    for _ in range(100):  # the server ends the cancelled statement asynchronously
        with database.write() as connection:
            still_running = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND state = 'active'"),
                {"pid": cancelled},
            ).scalar_one()
        if not still_running:
            break
        time.sleep(0.02)
    assert still_running == 0


def test_a_kept_connection_the_server_closed_is_replaced(database: Database) -> None:
    async def backend() -> int:
        outer, _ = await run_read(database, _backend, database)
        return outer

    killed = asyncio.run(backend())
    with database.write() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
    for _ in range(100):  # the termination reaches the socket asynchronously
        with database.write() as connection:
            if not connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": killed}
            ).scalar_one():
                break
        time.sleep(0.02)
    time.sleep(0.05)
    assert asyncio.run(backend()) != killed


def test_reads_on_the_loop_plan_generically_and_start_no_parallel_workers(database: Database) -> None:
    def settings(database: Database) -> tuple[str, str]:
        shown = text(
            "SELECT current_setting('plan_cache_mode'), current_setting('max_parallel_workers_per_gather')"
        )
        with database.read() as connection:
            first, second = connection.execute(shown).one()
        return str(first), str(second)

    assert asyncio.run(run_read(database, settings, database)) == ("force_generic_plan", "0")


def test_a_read_finding_every_slot_taken_past_the_pool_timeout_gets_the_pools_timeout(fresh_url: str) -> None:
    """As a pooled connection would: the API answers it 503 with Retry-After (app/api/problems.py)."""
    database = create_database(Settings(database_url=fresh_url, pool_size=1, pool_timeout_s=0.3))
    migrations.upgrade(database)
    finished: list[str] = []

    async def reads() -> int:
        slow = asyncio.create_task(run_read(database, _sleep_then_count, database, 1.0, finished, "slow"))
        await asyncio.sleep(0.05)
        with pytest.raises(PoolTimeoutError):
            await run_read(database, _sleep_then_count, database, 0, finished, "waited too long")
        return await slow

    try:
        assert asyncio.run(reads()) == 0
    finally:
        database.dispose()
    assert finished == ["slow"]


def test_while_a_write_runs_in_a_thread_reads_wait_for_the_server_without_giving_the_loop_back(
    database: Database,
) -> None:
    """The write's thread needs the interpreter after each of its waits for the server: reads that
    paused the loop only at the switch interval delayed it (docs/performance.md, "Writes")."""
    finished: list[str] = []
    seen_running: list[int] = []

    def write_slowly(database: Database) -> None:
        seen_running.append(THREAD_WRITES.running)
        with database.write() as connection:
            connection.execute(text("SELECT pg_sleep(0.6)"))

    async def reads_beside_a_write() -> None:
        writing = asyncio.create_task(run_write(database, write_slowly, database))
        await asyncio.sleep(0.1)  # the write's thread waits for the server
        slow = asyncio.create_task(run_read(database, _sleep_then_count, database, 0.3, finished, "slow"))
        await asyncio.sleep(0)  # the slow read sends its statement first
        await run_read(database, _sleep_then_count, database, 0, finished, "quick")
        await slow
        await writing

    asyncio.run(reads_beside_a_write())
    assert seen_running == [1]
    assert THREAD_WRITES.running == 0
    assert finished == ["slow", "quick"]  # the loop waited with the slow read
