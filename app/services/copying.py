"""Copies a whole database between engines (SQLite <-> PostgreSQL) and verifies the copy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, insert, select

from app.db import Database
from app.models import data_tables
from app.services import migrations
from app.services.claim_bodies import refresh_claim_bodies

BATCH = 1000


class CopyError(Exception):
    """The copy cannot start or did not reproduce the source exactly."""


def table_dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, in primary-key order: what two equal databases share (the derived
    tables follow from them)."""
    with database.read() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in data_tables()
        }


def _row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in data_tables()
    }


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL serial columns must continue after the copied ids, or the next insert collides."""
    for table in data_tables():
        columns = table.primary_key.columns.values()
        if len(columns) != 1 or columns[0].type.python_type is not int:
            continue
        key = columns[0]
        sequence = func.pg_get_serial_sequence(table.name, key.name)
        connection.execute(
            select(func.setval(sequence, func.coalesce(func.max(key), 1), func.max(key).is_not(None)))
        )


def copy_database(source: Database, target: Database, *, verify: bool = True) -> dict[str, int]:
    """Copy every row of `source` into an empty `target`, migrated to head first; returns rows per table.

    All tables are read in one transaction (REPEATABLE READ on PostgreSQL), so the copy is one
    consistent snapshot even while writers go on. The stored claim bodies are not copied but rebuilt
    from the copied rows, by the code that writes them everywhere else. With `verify`, the copy is then
    compared with the source table by table (only meaningful while nobody writes to the source).
    """
    head = migrations.head_revision()
    if migrations.current_revision(source) != head:
        raise CopyError(f"the source database is not at revision {head}; run `sectorfacts migrate` on it")
    with snapshot_read(source) as reader:
        counts = copy_from(reader, target)
    if verify and table_dump(source) != table_dump(target):
        raise CopyError("the copy differs from the source")
    return counts


@contextmanager
def snapshot_read(database: Database) -> Iterator[Connection]:
    """A read transaction that sees one snapshot of the whole database for as long as it lasts: SQLite's
    read transactions always do; PostgreSQL's do at REPEATABLE READ (READ COMMITTED would not)."""
    with database.read() as reader:
        if database.url.get_backend_name() == "postgresql":
            reader = reader.execution_options(isolation_level="REPEATABLE READ")
        yield reader


def copy_from(reader: Connection, target: Database) -> dict[str, int]:
    """Copy every data table as `reader` sees it into an empty `target` (migrated to head first), rebuild
    the claim bodies there; returns rows per table."""
    migrations.upgrade(target)
    with target.write() as writer:
        if any(_row_counts(writer).values()):
            raise CopyError("the target database is not empty; copy only into an empty database")
        for table in data_tables():
            rows = reader.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*table.primary_key.columns)
            )
            for batch in rows.partitions(BATCH):
                writer.execute(insert(table), [dict(row._mapping) for row in batch])
        if target.url.get_backend_name() == "postgresql":
            _reset_sequences(writer)
        refresh_claim_bodies(writer)
        return _row_counts(writer)
