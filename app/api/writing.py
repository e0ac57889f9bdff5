"""What a create or edit route works with: the database, who writes, and the answer that carries the ETag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Response
from pydantic import BaseModel

from app.api.auth import WriteKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import tagged
from app.db import THREAD_WRITES, Database, WriterBusy, inline_writes
from app.services.worker_threads import run_to_the_end
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor
from app.write_slices import run_in_slices

PublicT = TypeVar("PublicT", bound=BaseModel)
P = ParamSpec("P")
T = TypeVar("T")


async def run_write(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a write service call on `database`, in a worker thread run to the end (a
    write is never abandoned midway). Write routes are `async` and call this once: a sync route would cost
    two more hops through a loop busy with reads (its key lookup and its answer's validation run in the
    pool too).

    On PostgreSQL every write runs in a thread, handed over and back promptly. On SQLite a write comes
    here only when the event loop is busy writing (its share used up, or the writer taken): promptly
    handed back, such writes crowded the readers out of the loop (docs/performance.md, "Writes")."""
    if database.is_sqlite:
        return await run_to_the_end(partial(call, *args, **kwargs), prompt=False)
    THREAD_WRITES.running += 1
    try:
        return await run_to_the_end(partial(call, *args, **kwargs), prompt=True)
    finally:
        THREAD_WRITES.running -= 1


async def run_quick_write(database: Database, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, a write of one small resource (a claim, a note, a relation): on SQLite,
    on the event loop when the writer is free at once and writes there have not used up their share of
    the loop's time (Database.loop_share_for_writes), else as `run_write`.

    On the loop a write shares the interpreter with no thread: beside a busy loop that made it several
    times quicker than in a thread. It runs in slices (app/write_slices.py), giving the loop back between
    two statements once it has held it for `SLICE_S`, so that reads are not held up for a whole write.
    It never waits there for the write lock (the transaction would not begin: nothing is written, and
    the thread runs it instead). Writes whose size grows with the corpus (a
    theme, an entity, a document touch every claim naming it) always run in a thread; so do PostgreSQL's,
    whose waits on the server a thread overlaps with other requests."""
    share = database.loop_share_for_writes
    if database.is_sqlite and share.allows():
        try:
            with inline_writes():
                return await run_in_slices(partial(call, *args, **kwargs), share.spend)
        except WriterBusy:
            pass
    return await run_write(database, call, *args, **kwargs)


@dataclass(frozen=True)
class Writer:
    """A request allowed to write (a key with scope `write`), with the database and the answer's headers."""

    database: Database
    actor: Actor
    response: Response

    async def write(
        self, call: Callable[Concatenate[Database, Actor, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """The write service `call`, given the database and this writer, with `args` (see run_write)."""
        return await run_write(self.database, call, self.database, self.actor, *args, **kwargs)

    async def quick_write(
        self, call: Callable[Concatenate[Database, Actor, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """The write service `call` of one small resource, given the database and this writer, with
        `args` (see run_quick_write)."""
        return await run_quick_write(self.database, call, self.database, self.actor, *args, **kwargs)

    def answer(self, current: Current[PublicT], *, location: str | None = None) -> PublicT:
        """The written resource's public shape, with its ETag (and Location, for a new one) on the answer."""
        return tagged(self.response, current, location=location)


async def get_writer(key: WriteKey, database: DatabaseDep, response: Response) -> Writer:
    """The dependency behind `WriterDep` (async: it does no I/O, so it needs no thread)."""
    return Writer(database, actor(key), response)


WriterDep = Annotated[Writer, Depends(get_writer)]
