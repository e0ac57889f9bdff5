"""Shared table metadata: one naming convention so migrations name constraints predictably."""

from sqlalchemy import String, Table
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def key_text(length: int | None = None) -> TypeEngine[str]:
    """Text that is ordered and compared byte-wise on every engine (SQLite's BINARY, PostgreSQL's "C").

    Keyset cursors and ORDER BY must agree across engines; a locale collation (en_US) would sort
    'e-commerce' and 'edtech' differently from SQLite and would stop LIKE 'prefix%' using the index.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


# The largest id a row of a table with an integer primary key can have: the column is a 32-bit INTEGER on
# PostgreSQL, which refuses to compare it with a larger value (a client's id may go up to 2**63 - 1).
MAX_ROW_ID = 2**31 - 1

# `info` of a derived table: triggers fill it from the data tables; the app reads it and never writes it.
DERIVED = {"derived": True}
# `info` of a derived table the migrations create on SQLite alone (PostgreSQL searches another way).
SQLITE_ONLY = {**DERIVED, "only_on": "sqlite"}


def exists_on(table: Table, dialect: str) -> bool:
    """Whether the migrations create `table` on the engine named `dialect` ("sqlite", "postgresql")."""
    only_on = table.info.get("only_on")
    return only_on is None or only_on == dialect


def data_tables() -> list[Table]:
    """The tables that hold the data, parents first: every table but the derived ones."""
    return [table for table in metadata.sorted_tables if not table.info.get("derived")]
