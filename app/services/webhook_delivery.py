"""Webhook delivery: each hook's changes POSTed in log order from its durable cursor, signed, retried
with exponential backoff, every attempt recorded, the hook disabled after too many failures in a row.

At least once: a hook's cursor moves past a change only after the receiver answered 2xx, so a restart
(or a crash between the answer and the cursor's update) sends that change again, with the same
`Idempotency-Key`. Only the process holding the `webhook-delivery` lease delivers, so several workers
or replicas never send one change twice on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx2
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import DBAPIError

from app import __version__
from app.config import Settings
from app.db import Database
from app.services import leases
from app.services.background import in_background
from app.services.change_feed import FeedChange, changes_after
from app.services.tables import WEBHOOK, WEBHOOK_DELIVERY
from app.services.webhook_signing import signed_headers
from app.services.webhooks import hook_filter
from app.services.worker_threads import run_to_the_end

logger = logging.getLogger("sectorfacts.webhooks")

LEASE = "webhook-delivery"
USER_AGENT = f"sectorfacts-webhooks/{__version__}"


@dataclass(frozen=True)
class Attempt:
    """How one POST went."""

    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int


class Deliverer:
    """Delivers every enabled hook's changes while this process holds the lease."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lease_until = 0.0  # monotonic time the lease is ours until (0: not held)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Deliver until `stop` is set or the task is cancelled; gives the lease up on the way out."""
        timeout = httpx2.Timeout(self.settings.webhook_timeout_s)
        failing: str | None = None
        try:
            async with httpx2.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                while stop is None or not stop.is_set():
                    try:
                        await self.round(client)
                        failing = None
                    except DBAPIError as error:
                        # Logged once per kind of failure, not every round (e.g. a database not migrated).
                        if str(error.orig) != failing:
                            logger.warning("Webhook delivery waits for the database: %s", error.orig)
                        failing = str(error.orig)
                    except Exception as error:
                        if repr(error) != failing:
                            logger.exception("Webhook delivery round failed; trying again every round")
                        failing = repr(error)
                    if stop is None:
                        await asyncio.sleep(self.settings.webhook_poll_interval_s)
                    else:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), self.settings.webhook_poll_interval_s)
        finally:
            if self._lease_until:
                with contextlib.suppress(Exception):
                    leases.release(self.database, LEASE, self.holder)

    async def round(self, client: httpx2.AsyncClient) -> None:
        """One pass: every due hook delivers what it can, concurrently (a slow receiver delays its own)."""
        hooks = await run_to_the_end(self._due_hooks)
        if not hooks or not await self._hold_lease():
            return
        await asyncio.gather(*(self._deliver_hook(client, hook) for hook in hooks))

    async def _hold_lease(self) -> bool:
        """Whether this process may deliver now: the lease is taken or renewed once a third of it is used."""
        lease_s = self.settings.webhook_lease_s
        now = time.monotonic()
        if now < self._lease_until - lease_s * 2 / 3:
            return True
        held = await run_to_the_end(leases.acquire, self.database, LEASE, self.holder, lease_s)
        if held and not self._lease_until:
            logger.info("This process delivers webhooks (%s)", self.holder)
        self._lease_until = now + lease_s if held else 0.0
        return held

    def _due_hooks(self) -> list[Any]:
        now = dt.datetime.now(dt.UTC)
        with self.database.read() as connection:
            return list(
                connection.execute(
                    select(WEBHOOK)
                    .where(
                        WEBHOOK.c.enabled.is_(True),
                        or_(WEBHOOK.c.next_attempt_at.is_(None), WEBHOOK.c.next_attempt_at <= now),
                    )
                    .order_by(WEBHOOK.c.id)
                ).all()
            )

    def _changes(self, cursor: int) -> list[FeedChange]:
        with self.database.read() as connection:
            return changes_after(connection, cursor)

    async def _deliver_hook(self, client: httpx2.AsyncClient, hook: Any) -> None:
        """Deliver a hook's next changes in order, stopping at the first failure."""
        wanted = hook_filter(hook)
        cursor, done = hook.cursor, hook.cursor
        failures = hook.failures
        for change in await run_to_the_end(self._changes, cursor):
            if not wanted.matches(change):
                done = change.id
                continue
            attempt = await self._post(client, hook, change)
            outcome = await run_to_the_end(self._record, hook, cursor, done, change, failures + 1, attempt)
            if not outcome:
                return
            cursor = done = change.id
            failures = 0
        if done != cursor:
            await run_to_the_end(self._advance, hook.id, cursor, done)

    async def _post(self, client: httpx2.AsyncClient, hook: Any, change: FeedChange) -> Attempt:
        headers = signed_headers(hook.secret, hook.id, change.id, change.body, time.time())
        headers["User-Agent"] = USER_AGENT
        began = time.perf_counter()
        try:
            response = await client.post(hook.url, content=change.body, headers=headers)
        except Exception as failure:  # unreachable, refused, timed out, a URL it cannot use
            spent = round((time.perf_counter() - began) * 1000)
            return Attempt(False, None, f"{type(failure).__name__}: {failure}"[:500], spent)
        spent = round((time.perf_counter() - began) * 1000)
        succeeded = 200 <= response.status_code < 300
        error = None if succeeded else f"The receiver answered {response.status_code}."
        return Attempt(succeeded, response.status_code, error, spent)

    def _advance(self, webhook_id: int, cursor: int, done: int) -> None:
        """Move a hook's cursor past changes it does not want (unless it moved meanwhile)."""
        with self.database.write() as connection:
            connection.execute(
                update(WEBHOOK)
                .where(WEBHOOK.c.id == webhook_id, WEBHOOK.c.cursor == cursor)
                .values(cursor=done)
            )

    def _record(
        self, hook: Any, cursor: int, done: int, change: FeedChange, attempt_number: int, attempt: Attempt
    ) -> bool:
        """Record an attempt and move the hook on: its cursor on success, its backoff or its end on failure.
        Returns whether the hook may go on to its next change."""
        now = dt.datetime.now(dt.UTC)
        values: dict[str, Any]
        if attempt.succeeded:
            values = {"cursor": change.id, "failures": 0, "next_attempt_at": None}
        elif attempt_number >= self.settings.webhook_max_attempts:
            reason = (
                f"Disabled after {attempt_number} failed attempts in a row to deliver change {change.id}; "
                f"the last: {attempt.error}"
            )[:500]
            values = {"cursor": done, "failures": attempt_number, "next_attempt_at": None}
            values |= {"enabled": False, "disabled_at": now, "disabled_reason": reason}
            logger.warning("Webhook %d (%s) disabled: %s", hook.id, hook.url, reason)
        else:
            wait = min(
                self.settings.webhook_backoff_s * 2 ** (attempt_number - 1),
                self.settings.webhook_backoff_max_s,
            )
            values = {"cursor": done, "failures": attempt_number}
            values["next_attempt_at"] = now + dt.timedelta(seconds=wait)
        with self.database.write() as connection:
            moved = connection.execute(
                update(WEBHOOK).where(WEBHOOK.c.id == hook.id, WEBHOOK.c.cursor == cursor).values(values)
            )
            if (
                moved.rowcount == 0
                and not connection.execute(select(WEBHOOK.c.id).where(WEBHOOK.c.id == hook.id)).first()
            ):
                return False  # deleted meanwhile: nothing to record it on
            connection.execute(
                insert(WEBHOOK_DELIVERY).values(
                    webhook_id=hook.id,
                    change_id=change.id,
                    attempt=attempt_number,
                    at=now,
                    succeeded=attempt.succeeded,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    duration_ms=attempt.duration_ms,
                )
            )
        # A hook edited or deleted meanwhile (or re-enabled) is read again next round.
        return attempt.succeeded and moved.rowcount == 1


@contextlib.asynccontextmanager
async def delivering_webhooks(database: Database | None, settings: Settings) -> AsyncIterator[None]:
    """While the block runs, deliver webhooks on `database` (None: this process does not deliver) in a
    task of the running event loop; its connections are closed when the block ends."""
    if database is None:
        yield
        return
    try:
        async with in_background(Deliverer(database, settings).run(), "webhook-delivery"):
            yield
    finally:
        database.dispose()
