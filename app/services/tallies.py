"""Claim tallies (table claim_tally, migration 0004): claims in all and per theme, entity, kind and
document, kept exact by triggers whatever writes. Reading one replaces counting the claims it tallies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, String, bindparam, cast, func, select

from app.services.prepared import Prepared
from app.services.tables import CLAIM_TALLY, DATA_REVISION

_ONE_TALLY = Prepared(
    select(CLAIM_TALLY.c.claims).where(
        CLAIM_TALLY.c.dimension == bindparam("dimension"), CLAIM_TALLY.c.value == bindparam("value")
    )
)

_REVISION = Prepared(select(DATA_REVISION.c.revision).where(DATA_REVISION.c.id == 1))


def data_revision(connection: Connection) -> int:
    """The data revision (migration 0017): it moves on at every write to what answers are computed from."""
    return int(_REVISION.scalar(connection) or 0)


def tally(connection: Connection, dimension: str, value: str = "") -> int:
    """Claims counted under one tally (0 when none)."""
    found = _ONE_TALLY.scalar(connection, dimension=dimension, value=value)
    return int(found or 0)


def tallied(dimension: str, key: ColumnElement[Any]) -> ColumnElement[int]:
    """A correlated subquery: the tallied claims of the theme or entity whose id is `key` (0 for none).

    Replaces `count(*)` over the links, whose cost grows with the value's claims."""
    claims = (
        select(CLAIM_TALLY.c.claims)
        .where(CLAIM_TALLY.c.dimension == dimension, CLAIM_TALLY.c.value == cast(key, String))
        .scalar_subquery()
    )
    return func.coalesce(claims, 0)
