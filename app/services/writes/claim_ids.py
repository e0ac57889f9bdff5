"""Server-chosen claim ids: the document's prefix and the next number of it (`pkit-069`), taken from
`claim_number` (migration 0018) in the write's transaction, so no two writes and no deleted claim ever
share one."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from app.services.prepared import Prepared
from app.services.tables import CLAIM, CLAIM_NUMBER

# The prefix part of a numbered id, as ids are written (`pkit-069`, `syn-0000001`).
_PREFIX = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DIGITS = "0123456789"
# How many of a document's claims show the style of its ids: a few, so a large document costs no more.
PREFIX_SAMPLE = 50
# Width of the first number of a prefix no id has had.
DEFAULT_WIDTH = 3
# Every claim id's (and change-logged claim id's) prefix, highest number and width, as migration 0018
# fills `claim_number`: for the loads that bypass its trigger (bulk load, copy) and for rebuilds.
FILL_CLAIM_NUMBERS = (
    "INSERT INTO claim_number (prefix, last_number, width) "
    "SELECT substr(p, 1, length(p) - 1), max(CAST(substr(id, length(p) + 1) AS BIGINT)), "
    "max(length(id) - length(p)) FROM (SELECT id, rtrim(id, '0123456789') AS p FROM ("
    "SELECT id FROM claim UNION ALL SELECT resource_id FROM \"change\" WHERE resource_type = 'claim'"
    ") AS ids) AS split "
    "WHERE length(p) > 1 AND substr(p, length(p), 1) = '-' AND length(id) - length(p) BETWEEN 1 AND 18 "
    "GROUP BY substr(p, 1, length(p) - 1)"
)


def _document_prefixes() -> Select[Any]:
    """The id prefixes (each with its claims) of the first claims of the document bound as `document`."""
    split = (
        select(func.rtrim(CLAIM.c.id, DIGITS).label("head"))
        .where(CLAIM.c.document_id == bindparam("document"))
        .order_by(CLAIM.c.span_start, CLAIM.c.span_end, CLAIM.c.id)
        .limit(PREFIX_SAMPLE)
        .subquery()
    )
    head, count = split.c.head, func.count()
    return (
        select(head, count)
        .where(func.length(head) > 1, func.substr(head, func.length(head), 1) == "-")
        .group_by(head)
        .order_by(count.desc(), head)
    )


# Built once: a statement built for every write costs more to compile-cache than to run.
_DOCUMENT_PREFIXES = Prepared(_document_prefixes())


def document_prefix(connection: Connection, document_id: str) -> Callable[[], str]:
    """The prefix most of the document's first numbered claim ids (in document order) have; the
    document's id for its first claim. Read when called, sent now (Prepared.sent): a write sends its
    other reads with it."""
    answer = _DOCUMENT_PREFIXES.sent(connection, document=document_id)

    def prefix() -> str:
        for found, _ in answer():
            if _PREFIX.match(candidate := found[:-1]):
                return str(candidate)
        return document_id[:90]

    return prefix


@functools.cache
def _taking(dialect_name: str) -> Any:
    """The upsert that moves the counter of the prefix bound as `prefix` on (or starts it at 1), returning
    the number taken and the width of the prefix's ids."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(CLAIM_NUMBER)
        .values(prefix=bindparam("prefix"), last_number=1, width=DEFAULT_WIDTH)
        .on_conflict_do_update(
            index_elements=[CLAIM_NUMBER.c.prefix], set_={"last_number": CLAIM_NUMBER.c.last_number + 1}
        )
        .returning(CLAIM_NUMBER.c.last_number, CLAIM_NUMBER.c.width)
    )


def take_claim_id(connection: Connection, prefix: str) -> str:
    """A new id with the prefix (`pkit-069`, from `document_prefix`), never one a claim had: the prefix's
    counter moves on in this transaction (its row stays locked on PostgreSQL until the write ends)."""
    number, width = connection.execute(_taking(connection.dialect.name), {"prefix": prefix}).one()
    return f"{prefix}-{number:0{width}d}"


def refresh_claim_numbers(connection: Connection) -> int:
    """Refill `claim_number` from every claim id and the change log's (after a load that bypassed its
    trigger); returns the prefixes counted."""
    connection.execute(delete(CLAIM_NUMBER))
    connection.execute(text(FILL_CLAIM_NUMBERS))
    return int(connection.execute(select(func.count()).select_from(CLAIM_NUMBER)).scalar_one())
