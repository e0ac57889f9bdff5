"""Writes of one claim, note or relation: on SQLite they run on the event loop when the writer is free
(and within their share of the loop's time), in slices that give the loop back between statements; a
write that must wait for the write lock waits in a worker thread, and the API keeps answering meanwhile.
SQLite's write-ahead log is copied into the database file in the background, not by a request's commit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url, text

from app import write_slices
from app.api.writing import run_quick_write
from app.db import Database
from app.loop_share import LoopShare
from app.services.writes.transaction import writing
from tests.api.test_writes_claims import NEW_CLAIM
from tests.curation import Curator, curating
from tests.databases import engine_under_test

ON_SQLITE = engine_under_test() == "sqlite"


@contextmanager
def write_lock_held_elsewhere(database: Database) -> Iterator[None]:
    """The database's write lock, held by a connection that is not the app's until the block ends."""
    if database.is_sqlite:
        holder = sqlite3.connect(make_url(str(database.url)).database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("COMMIT")
            holder.close()
        return
    with database.write_engine.connect() as connection, connection.begin():
        # What every writer of the service takes first (app/services/writes/transaction.py).
        connection.execute(text('LOCK TABLE "change" IN SHARE ROW EXCLUSIVE MODE'))
        yield


def test_a_write_waiting_for_the_lock_leaves_the_api_answering(curator: Curator) -> None:
    before = curator.change_count()
    with ThreadPoolExecutor(1) as pool:
        with write_lock_held_elsewhere(curator.database):
            posted = pool.submit(curator.write, "POST", "/v1/claims", NEW_CLAIM)
            time.sleep(0.3)  # the write has started, and waits for the lock
            read = curator.client.get("/v1/claims/pkit-001")
            assert read.status_code == 200, read.text
            assert not posted.done()
            assert curator.change_count() == before
        created = posted.result(timeout=30)
    assert created.status_code == 201, created.text
    assert curator.change_count() == before + 1
    assert curator.client.get(created.headers["location"]).json()["statement"] == NEW_CLAIM["statement"]


def _thread_of_a_write(database: Database) -> int:
    """A write of nothing in particular (a statement in a write transaction); the thread it ran on."""
    with writing(database) as connection:
        connection.execute(text("SELECT 1"))
    return threading.get_ident()


def test_a_quick_write_runs_on_the_loop_only_when_the_sqlite_writer_is_free(curator: Curator) -> None:
    database = curator.database

    async def write_from_the_loop() -> tuple[int, int]:
        return threading.get_ident(), await run_quick_write(database, _thread_of_a_write, database)

    loop_thread, write_thread = asyncio.run(write_from_the_loop())
    assert (write_thread == loop_thread) is ON_SQLITE

    # Another write of this process holds the writer: the quick write waits for it in a worker thread.
    database.writer_turn.acquire()
    releaser = threading.Timer(0.3, database.writer_turn.release)
    releaser.start()
    began = time.monotonic()
    loop_thread, write_thread = asyncio.run(write_from_the_loop())
    releaser.join()
    assert write_thread != loop_thread
    if ON_SQLITE:
        assert time.monotonic() - began >= 0.25


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's write-ahead log")
def test_the_app_checkpoints_the_log_in_the_background(fresh_url: str) -> None:
    path = make_url(fresh_url).database or ""
    with curating(fresh_url) as curator:
        with curator.database.write_engine.connect() as connection:
            # The seed was loaded by a plain Database (the command line's): its commits checkpoint.
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
        app_database = curator.client.app.state.database  # type: ignore[attr-defined]
        with app_database.write_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
        created = curator.write("POST", "/v1/claims", NEW_CLAIM)
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        deadline = time.monotonic() + 10
        found = _in_the_file_itself(path, claim_id)
        while found is None and time.monotonic() < deadline:
            time.sleep(0.2)
            found = _in_the_file_itself(path, claim_id)
        assert found == (claim_id,)


def _in_the_file_itself(path: str, claim_id: str) -> tuple[object, ...] | None:
    """The claim's row as the database file holds it, without the log (`immutable`: SQLite reads no -wal
    file); None while the file has no such row (or, before the first checkpoint, no claim table)."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as file_only:
        try:
            row: tuple[object, ...] | None = file_only.execute(
                "SELECT id FROM claim WHERE id = ?", (claim_id,)
            ).fetchone()
        except sqlite3.OperationalError:
            row = None
    file_only.close()
    return row


def test_writes_on_the_loop_take_at_most_their_share_of_its_time() -> None:
    share = LoopShare(0.25, burst_s=0.02)
    assert share.allows()
    share.spend(0.03)  # a write that ran past the burst
    assert not share.allows()
    # The bucket refills at a quarter of the time that passes: 40 ms bring back the 10 ms overdrawn.
    time.sleep(0.05)
    assert share.allows()


def test_an_idle_stretch_before_a_write_does_not_pay_for_it() -> None:
    share = LoopShare(0.25, burst_s=0.02)
    time.sleep(0.1)  # idle: the bucket is full, and stays at its burst
    share.spend(0.03)  # then a write that ran past the burst
    assert not share.allows()


def test_a_quick_write_goes_to_a_thread_once_the_loop_share_is_used_up(curator: Curator) -> None:
    database = curator.database

    async def write_from_the_loop() -> tuple[int, int]:
        return threading.get_ident(), await run_quick_write(database, _thread_of_a_write, database)

    database.loop_share_for_writes.spend(1.0)  # as after a second of writes on the loop
    loop_thread, write_thread = asyncio.run(write_from_the_loop())
    assert write_thread != loop_thread


def _statements_recorded(database: Database, events: list[str], statements: int) -> int:
    """A write of `statements` statements, each recorded in `events` once run; the thread it ran on."""
    with writing(database) as connection:
        for number in range(statements):
            connection.execute(text("SELECT 1"))
            events.append(f"statement {number}")
    events.append("committed")
    return threading.get_ident()


async def _loop_turns(events: list[str], turns: int) -> None:
    for _ in range(turns):
        events.append("loop")
        await asyncio.sleep(0)


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's writes on the event loop")
def test_a_write_on_the_loop_gives_way_to_the_loop_between_its_statements(
    curator: Curator, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = curator.database
    monkeypatch.setattr(write_slices, "SLICE_S", 0.0)  # every statement is past the slice
    events: list[str] = []

    async def write_beside_other_work() -> tuple[int, int]:
        other = asyncio.ensure_future(_loop_turns(events, 20))
        written = await run_quick_write(database, _statements_recorded, database, events, 3)
        await other
        return threading.get_ident(), written

    loop_thread, write_thread = asyncio.run(write_beside_other_work())
    assert write_thread == loop_thread
    first, last = events.index("statement 0"), events.index("statement 2")
    assert "loop" in events[first:last], events
    assert events.index("committed") == last + 1


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's writes on the event loop")
def test_a_cancelled_write_in_slices_runs_to_its_end_first(
    curator: Curator, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = curator.database
    monkeypatch.setattr(write_slices, "SLICE_S", 0.0)
    events: list[str] = []

    async def cancel_midway() -> bool:
        write = asyncio.ensure_future(run_quick_write(database, _statements_recorded, database, events, 5))
        while "statement 1" not in events:
            await asyncio.sleep(0)
        write.cancel()
        try:
            await write
        except asyncio.CancelledError:
            return True
        return False

    assert asyncio.run(cancel_midway())
    assert events[-1] == "committed"
    assert [event for event in events if event.startswith("statement")] == [
        f"statement {n}" for n in range(5)
    ]


def _statements_then_a_failure(database: Database, events: list[str]) -> None:
    """A write that commits two statements, then fails."""
    _statements_recorded(database, events, 2)
    raise RuntimeError("the write failed after its statements")


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's writes on the event loop")
def test_a_cancelled_write_that_then_fails_is_logged_not_lost(
    curator: Curator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    database = curator.database
    monkeypatch.setattr(write_slices, "SLICE_S", 0.0)
    events: list[str] = []

    async def cancel_midway() -> None:
        write = asyncio.ensure_future(run_quick_write(database, _statements_then_a_failure, database, events))
        while "statement 0" not in events:
            await asyncio.sleep(0)
        write.cancel()
        with pytest.raises(asyncio.CancelledError):
            await write

    with caplog.at_level("WARNING", logger="sectorfacts.writes"):
        asyncio.run(cancel_midway())
    assert events[-1] == "committed"
    failures = [record for record in caplog.records if record.name == "sectorfacts.writes"]
    assert [str(record.exc_info[1]) for record in failures if record.exc_info] == [
        "the write failed after its statements"
    ]
