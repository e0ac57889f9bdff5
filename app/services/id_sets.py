"""`column IN (ids)` without SQLAlchemy's expanding parameters, for statements built once and reused.

An expanding `IN` is re-rendered into SQL on every execution (one placeholder per value), which dominated
a single claim's CPU time. These forms bind the whole set as one parameter, so a statement compiles once:
a JSON array read by json_each() on SQLite, an array compared with `= ANY` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY


def among(
    column: ColumnElement[Any], name: str, dialect: str, *, integers: bool = False
) -> ColumnElement[bool]:
    """`column` is one of the values bound as `name` (pass them through `bound`)."""
    if dialect == "sqlite":
        values = func.json_each(bindparam(name, type_=String())).table_valued("value")
        return column.in_(select(values.c.value).scalar_subquery())
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer() if integers else String())))
    return column.in_(bindparam(name, expanding=True))


def bound(values: Sequence[str] | Sequence[int], dialect: str) -> Any:
    """The value to bind for `among` on `dialect`."""
    return orjson.dumps(list(values)).decode() if dialect == "sqlite" else list(values)
