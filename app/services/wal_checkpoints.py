"""SQLite's write-ahead log copied into the database file in the background, not by a request's commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from app.db import Database
from app.services.background import in_background
from app.services.worker_threads import run_to_the_end

logger = logging.getLogger("sectorfacts.checkpoints")

# How often the log is checkpointed when something was committed. SQLite's own default, a checkpoint by
# the commit that brings the log past 1,000 pages, comes every few dozen claim writes at most.
CHECKPOINT_EVERY_S = 1.0


async def _checkpoint_often(database: Database) -> None:
    while True:
        await asyncio.sleep(CHECKPOINT_EVERY_S)
        try:
            await run_to_the_end(database.checkpoint)
        except Exception:  # a failed checkpoint is retried next time; the log only grows meanwhile
            logger.exception("checkpoint of the write-ahead log failed")


@contextlib.asynccontextmanager
async def checkpointing(database: Database) -> AsyncIterator[None]:
    """While the block runs, checkpoint `database`'s write-ahead log every CHECKPOINT_EVERY_S (SQLite)."""
    if not database.is_sqlite:
        yield
        return
    async with in_background(_checkpoint_often(database), "wal-checkpoints"):
        yield
