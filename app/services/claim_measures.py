"""A claim's dates and figures as stored: the validity columns, the `claim_quantity` rows, their checks."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select

from app.schemas.measures import Quantity, ValidityIn, first_day, last_day, span_problem
from app.services.id_sets import among, bound
from app.services.tables import CLAIM_QUANTITY

# The quantity columns the answer shows, besides its span.
_FIELDS = ("amount", "unit", "scale", "period", "lower", "upper", "approximate", "text")


def validity_columns(validity: ValidityIn | None) -> dict[str, str | None]:
    """The claim columns of a validity: its dates as given, and the conservative ends `as_of` compares
    (the latest day `valid_from` may mean, the earliest day `valid_to` may mean)."""
    valid_from = validity.valid_from if validity is not None else None
    valid_to = validity.valid_to if validity is not None else None
    return {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "valid_from_last": last_day(valid_from) if valid_from is not None else None,
        "valid_to_first": first_day(valid_to) if valid_to is not None else None,
    }


def quantity_rows(quantities: Sequence[Quantity]) -> list[dict[str, Any]]:
    """The `claim_quantity` rows of a claim's figures (without `claim_id`), in the order given."""
    return [
        {
            "position": position,
            **{name: getattr(quantity, name) for name in _FIELDS},
            "span_start": quantity.span.start,
            "span_end": quantity.span.end,
        }
        for position, quantity in enumerate(quantities)
    ]


def quantity_problems(quantities: Sequence[Quantity], within: str, location: str) -> list[tuple[str, str]]:
    """(where, what) for each figure whose span does not hold its text in `within`, the claim's quote or
    (for a paraphrase) its statement."""
    return [
        (f"{location}[{index}]", problem)
        for index, quantity in enumerate(quantities)
        if (problem := span_problem(quantity, within)) is not None
    ]


def replace_quantities(connection: Connection, claim_id: str, quantities: Sequence[Quantity]) -> None:
    """Make a claim's stored figures `quantities`."""
    connection.execute(delete(CLAIM_QUANTITY).where(CLAIM_QUANTITY.c.claim_id == claim_id))
    add_quantities(connection, claim_id, quantities)


def add_quantities(connection: Connection, claim_id: str, quantities: Sequence[Quantity]) -> None:
    """Store `quantities` as figures of a claim that has none."""
    if rows := [{"claim_id": claim_id, **row} for row in quantity_rows(quantities)]:
        connection.execute(insert(CLAIM_QUANTITY), rows)


@functools.cache
def _quantities_read(dialect: str) -> Select[Any]:
    """The figures of the claims bound as `ids`, built once per dialect: building it for every claim read
    cost more than running it."""
    return (
        select(CLAIM_QUANTITY)
        .where(among(CLAIM_QUANTITY.c.claim_id, "ids", dialect))
        .order_by(CLAIM_QUANTITY.c.claim_id, CLAIM_QUANTITY.c.position)
    )


def quantities_of(connection: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each claim's figures as its answer shows them (`Quantity`), in the order stated."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    dialect = connection.dialect.name
    rows = connection.execute(_quantities_read(dialect), {"ids": bound(ids, dialect)})
    for row in rows:
        shown = {name: getattr(row, name) for name in _FIELDS}
        shown["approximate"] = bool(row.approximate)
        shown["span"] = {"start": row.span_start, "end": row.span_end}
        found[row.claim_id].append(shown)
    return found
