"""The change log: every write recorded with its key, time, and the resource before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select

from app.db import Database
from app.models import MAX_ROW_ID
from app.pipelining import UNREAD
from app.schemas.common import Page, PageMeta
from app.schemas.history import ChangePublic
from app.services.pagination import decode_cursor, encode_cursor
from app.services.tables import CHANGE
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor

HISTORY_PATHS = {
    "claim": "/v1/claims/{}/history",
    "theme": "/v1/themes/{}/history",
    "entity": "/v1/entities/{}/history",
    "document": "/v1/documents/{}/history",
}


def record(
    connection: Connection,
    actor: Actor,
    action: str,
    before: Current[Any] | None,
    after: Current[Any] | None,
    *,
    claim_id: str | None = None,
) -> None:
    """Log one change to one resource."""
    subject = after or before
    assert subject is not None
    values = {
        "at": dt.datetime.now(dt.UTC),
        "key_id": actor.key_id,
        "key_name": actor.key_name,
        "resource_type": subject.kind,
        "resource_id": subject.key,
        "claim_id": claim_id if claim_id is not None else (subject.key if subject.kind == "claim" else None),
        "action": action,
        "before": before.dump() if before is not None else None,
        "after": after.dump() if after is not None else None,
    }
    connection.execute(_RECORD, values)


# Built once: a statement built for every write costs more to compile-cache than to run. `inline`: its id
# is not fetched back (no RETURNING), so nothing of its answer is read.
_RECORD = insert(CHANGE).inline().execution_options(**UNREAD)


def last_change(connection: Connection, kind: str, key: str) -> Any:
    """The newest change to a resource (a row with `action`, `before`, `after`), or None."""
    return connection.execute(
        select(CHANGE.c.action, CHANGE.c.before, CHANGE.c.claim_id)
        .where(CHANGE.c.resource_type == kind, CHANGE.c.resource_id == key)
        .order_by(CHANGE.c.id.desc())
        .limit(1)
    ).one_or_none()


def ever_recorded(connection: Connection, kind: str, key: str) -> bool:
    """True when the log holds any change to this resource."""
    return last_change(connection, kind, key) is not None


# The log's columns under the names of the public change.
PUBLIC_COLUMNS = (
    CHANGE.c.id,
    CHANGE.c.at,
    CHANGE.c.key_name,
    CHANGE.c.resource_type.label("type"),
    CHANGE.c.resource_id,
    CHANGE.c.action,
    CHANGE.c.before,
    CHANGE.c.after,
)


def after_change(change_id: int) -> ColumnElement[bool]:
    """The changes after change `change_id`, whatever id the client named: a client's `since`,
    Last-Event-ID or cursor past the largest possible id means after every change."""
    return CHANGE.c.id > min(change_id, MAX_ROW_ID)


def _page(
    database: Database, where: list[ColumnElement[bool]], kind: str, *, limit: int, cursor: str | None
) -> Page[ChangePublic]:
    after_id = decode_cursor(kind, cursor, (int,))[0] if cursor else None
    with database.read() as connection:
        total = connection.execute(select(func.count()).select_from(CHANGE).where(*where)).scalar_one()
        page = select(*PUBLIC_COLUMNS).where(*where).order_by(CHANGE.c.id).limit(limit + 1)
        if after_id is not None:
            page = page.where(after_change(after_id))
        rows = connection.execute(page).all()
    next_cursor = encode_cursor(kind, [rows[limit - 1].id]) if len(rows) > limit else None
    data = [ChangePublic(**row._mapping) for row in rows[:limit]]
    return Page[ChangePublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def resource_history(
    database: Database, kind: str, key: str, *, limit: int, cursor: str | None = None
) -> Page[ChangePublic]:
    """A resource's changes, oldest first; a claim's include those of its context notes."""
    if kind == "claim":
        where = [CHANGE.c.claim_id == key]
    else:
        where = [CHANGE.c.resource_type == kind, CHANGE.c.resource_id == key]
    return _page(database, where, f"history-{kind}", limit=limit, cursor=cursor)


def list_changes(
    database: Database,
    *,
    since_id: int | None = None,
    since_at: dt.datetime | None = None,
    limit: int,
    cursor: str | None = None,
) -> Page[ChangePublic]:
    """Every change after change `since_id`, or at or after `since_at`, in log order."""
    where: list[ColumnElement[bool]] = []
    if since_id is not None:
        where.append(after_change(since_id))
    if since_at is not None:
        where.append(CHANGE.c.at >= since_at)
    return _page(database, where, "changes", limit=limit, cursor=cursor)
