"""What a create or edit route works with: the database, who writes, and the answer that carries the ETag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Response
from pydantic import BaseModel

from app.api.auth import WriteKey, actor
from app.api.deps import DatabaseDep
from app.api.etags import tagged
from app.db import Database
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor

PublicT = TypeVar("PublicT", bound=BaseModel)


@dataclass(frozen=True)
class Writer:
    """A request allowed to write (a key with scope `write`), with the database and the answer's headers."""

    database: Database
    actor: Actor
    response: Response

    def answer(self, current: Current[PublicT], *, location: str | None = None) -> PublicT:
        """The written resource's public shape, with its ETag (and Location, for a new one) on the answer."""
        return tagged(self.response, current, location=location)


async def get_writer(key: WriteKey, database: DatabaseDep, response: Response) -> Writer:
    """The dependency behind `WriterDep` (async: it does no I/O, so it needs no thread)."""
    return Writer(database, actor(key), response)


WriterDep = Annotated[Writer, Depends(get_writer)]
