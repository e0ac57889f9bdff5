"""Resources whose rows carry a revision: each as it stands, its GET, and what a missing one answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, select

from app.db import Database
from app.services.errors import NotFound
from app.services.prepared import Prepared
from app.services.writes.errors import Gone
from app.services.writes.history import HISTORY_PATHS, last_change
from app.services.writes.revisions import Current, Rendered

KeyT = TypeVar("KeyT", str, int)
PublicT = TypeVar("PublicT", bound=BaseModel)
FoundT = TypeVar("FoundT", Current[Any], Rendered)


@cache
def _revision_of(table: Table, column: str) -> Prepared:
    return Prepared(select(table.c.revision).where(table.c[column] == bindparam("key")))


def _revision(connection: Connection, table: Table, column: str, key: Any) -> int | None:
    value = _revision_of(table, column).scalar(connection, key=key)
    return None if value is None else int(value)


def current(
    connection: Connection,
    kind: str,
    table: Table,
    column: str,
    key: KeyT,
    shape: Callable[[Connection, KeyT], PublicT | None],
    named_by: Callable[[PublicT], str] | None = None,
) -> Current[PublicT] | None:
    """The resource whose row has `key` in `column`, as `shape` answers it, with its revision, or None.
    Its ETag names it by `key`, or by `named_by` its public shape (an entity found by id: its slug)."""
    found = _revision(connection, table, column, key)
    public = shape(connection, key)
    if found is None or public is None:
        return None
    return Current(kind, str(key) if named_by is None else named_by(public), found, public)


def missing(connection: Connection, kind: str, key: str) -> Exception:
    """What to raise for a missing resource: Gone (410) if the log shows it deleted, else NotFound."""
    last = last_change(connection, kind, key)
    if last is None or last.action != "delete":
        return NotFound(kind, key)
    if kind in ("note", "relation"):
        # Listed in its claim's history (a relation's: its subject's).
        return Gone(kind, key, HISTORY_PATHS["claim"].format(last.claim_id))
    return Gone(kind, key, HISTORY_PATHS[kind].format(key))


def read(
    database: Database,
    kind: str,
    key: KeyT,
    find: Callable[[Connection, KeyT], FoundT | None],
    *,
    one_statement: bool = False,
) -> FoundT:
    """`find(connection, key)` for GET; raises Gone (410) for a deleted resource, NotFound for one that
    never existed. `one_statement`: `find` reads in a single statement, its own snapshot."""
    with database.read(snapshot=not one_statement) as connection:
        if (found := find(connection, key)) is None:
            raise missing(connection, kind, str(key))
        return found
