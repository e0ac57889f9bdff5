"""One watcher of the change log per process, shared by every open change stream.

Polling the log is the ground truth (a write may come from another worker or process); a commit on this
process's write engine only wakes the watcher early. The watcher runs while at least one stream waits,
as one asyncio task: a stream costs no thread, and the log is asked once per interval however many
streams are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import event

from app.db import Database
from app.services.change_feed import last_change_id
from app.services.worker_threads import run_to_the_end

logger = logging.getLogger("sectorfacts.push")


class ChangeHub:
    """Tells waiting streams when the log holds a change past theirs."""

    def __init__(self, database: Database, poll_interval_s: float) -> None:
        self.database = database
        self.poll_interval_s = poll_interval_s
        self.latest = -1  # the newest change id seen; -1 until the first look
        self._waiters = 0
        self._task: asyncio.Task[None] | None = None
        self._changed: asyncio.Condition | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _on_commit(self, _connection: object) -> None:
        """A write committed in this process (on any thread): look at the log now."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def _start(self) -> None:
        if not event.contains(self.database.write_engine, "commit", self._on_commit):
            event.listen(self.database.write_engine, "commit", self._on_commit)
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A server has one event loop; a test client may run each request in a loop of its own.
            self._loop = loop
            self._changed = asyncio.Condition()
            self._wake = asyncio.Event()
            self._task = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch(), name="change-hub")

    async def _watch(self) -> None:
        assert self._changed is not None
        assert self._wake is not None
        while self._waiters > 0:
            self._wake.clear()
            try:
                latest = await run_to_the_end(self._read_latest)
            except Exception:
                logger.warning("Could not read the change log; trying again", exc_info=True)
                latest = self.latest
            if latest != self.latest:
                self.latest = latest
                async with self._changed:
                    self._changed.notify_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)

    def _read_latest(self) -> int:
        with self.database.read(snapshot=False) as connection:
            return last_change_id(connection)

    async def wait_past(self, change_id: int, timeout_s: float) -> bool:
        """Wait until the log holds a change after `change_id`, at most `timeout_s`; True when it does."""
        if self.latest > change_id:
            return True
        self._waiters += 1
        try:
            self._start()
            assert self._changed is not None
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: self.latest > change_id), timeout_s)
            return self.latest > change_id
        finally:
            self._waiters -= 1

    async def close(self) -> None:
        """Stop watching (at shutdown; an app's lifespan may run again, and start it again)."""
        if event.contains(self.database.write_engine, "commit", self._on_commit):
            event.remove(self.database.write_engine, "commit", self._on_commit)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
