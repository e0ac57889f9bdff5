"""Who writes, and the one transaction each write runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.db import Database


@dataclass(frozen=True)
class Actor:
    """The API key a write is made with (`key_id` None for the command line)."""

    key_id: int | None
    key_name: str


CLI_INGEST = Actor(key_id=None, key_name="cli:ingest")


@contextmanager
def writing(database: Database) -> Iterator[Connection]:
    """One write transaction: committed whole when the block succeeds, rolled back whole when it raises.

    Writers run one at a time. SQLite's BEGIN IMMEDIATE already serialises them (a waiting writer
    waits up to busy_timeout, then answers 503); on PostgreSQL the change log's table lock does, so
    change ids are allocated in commit order and a reader paging by id never skips a late commit.
    """
    with database.write() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text('LOCK TABLE "change" IN SHARE ROW EXCLUSIVE MODE'))
        yield connection
