"""Who writes, and the one transaction each write runs in."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Concatenate, Generic, ParamSpec, TypeVar

from sqlalchemy import Connection, text

from app.db import Database
from app.pipelining import UNREAD, pipelined


@dataclass(frozen=True)
class Actor:
    """The API key a write is made with (`key_id` None for the command line)."""

    key_id: int | None
    key_name: str


CLI_INGEST = Actor(key_id=None, key_name="cli:ingest")
ParamsT = ParamSpec("ParamsT")
ResultT = TypeVar("ResultT")


# Taken first by every write on PostgreSQL (see `writing`); its answer is never read.
_WRITERS_LOCK = text('LOCK TABLE "change" IN SHARE ROW EXCLUSIVE MODE').execution_options(**UNREAD)


@contextmanager
def writing(database: Database, *, pipeline: bool = False) -> Iterator[Connection]:
    """One write transaction: committed whole when the block succeeds, rolled back whole when it raises.

    Writers run one at a time. SQLite's BEGIN IMMEDIATE already serialises them (a waiting writer
    waits up to busy_timeout, then answers 503); on PostgreSQL the change log's table lock does, so
    change ids are allocated in commit order and a reader paging by id never skips a late commit.

    `pipeline`: on PostgreSQL the block runs in a psycopg pipeline (app/pipelining.py), where its
    statements marked UNREAD travel with the next one it reads. Only for writes that send no COPY.
    """
    with database.write() as connection:
        if connection.dialect.name != "postgresql":
            yield connection
            return
        with pipelined(connection) if pipeline else contextlib.nullcontext():
            connection.execute(_WRITERS_LOCK)
            yield connection


class Transacted(Generic[ParamsT, ResultT]):
    """A write called with the database runs in one transaction of its own; `within` runs it inside
    a transaction already open (ingest runs a whole file's writes in one)."""

    def __init__(
        self, write: Callable[Concatenate[Connection, ParamsT], ResultT], *, pipeline: bool = False
    ) -> None:
        self.within = write
        self.pipeline = pipeline
        self.__doc__ = write.__doc__

    def __call__(self, database: Database, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> ResultT:
        """The write, in its own transaction."""
        with writing(database, pipeline=self.pipeline) as connection:
            return self.within(connection, *args, **kwargs)


def transacted(write: Callable[Concatenate[Connection, ParamsT], ResultT]) -> Transacted[ParamsT, ResultT]:
    """Decorate a write taking an open connection so that callers give it the database instead."""
    return Transacted(write)


def transacted_in_pipeline(
    write: Callable[Concatenate[Connection, ParamsT], ResultT],
) -> Transacted[ParamsT, ResultT]:
    """`transacted`, with the transaction in a pipeline on PostgreSQL (see `writing`)."""
    return Transacted(write, pipeline=True)
