"""Copies a whole database between engines (SQLite <-> PostgreSQL) and verifies the copy."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from app.db import Database
from app.models import data_tables
from app.services import migrations
from app.services.bulk_load import Report, copy_rows, deferred_upkeep, reset_sequences
from app.services.claim_bodies import refresh_claim_bodies
from app.services.writes.claim_ids import refresh_claim_numbers

BATCH = 1000
# Rows read per round when the copy is verified.
VERIFY_BATCH = 5000


def _quiet(_: str) -> None:
    """A progress report that reports nothing."""


class CopyError(Exception):
    """The copy cannot start or did not reproduce the source exactly."""


def _rows(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    ordered = select(table).order_by(*table.primary_key.columns)
    for batch in connection.execution_options(yield_per=VERIFY_BATCH).execute(ordered).partitions():
        yield from (tuple(row) for row in batch)


def first_difference(source: Database, target: Database) -> str | None:
    """The first data table whose rows differ between the two databases (None when every one is equal),
    compared row by row in primary-key order: memory stays flat however large the tables are."""
    with snapshot_read(source) as left, snapshot_read(target) as right:
        for table in data_tables():
            for mine, theirs in itertools.zip_longest(_rows(left, table), _rows(right, table)):
                if mine != theirs:
                    return table.name
    return None


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


def copy_database(
    source: Database, target: Database, *, verify: bool = True, report: Report = _quiet
) -> dict[str, int]:
    """Copy every row of `source` into an empty `target`, migrated to head first; returns rows per table.

    All tables are read in one transaction (REPEATABLE READ on PostgreSQL), so the copy is one
    consistent snapshot even while writers go on. The stored claim bodies are not copied but rebuilt
    from the copied rows, by the code that writes them everywhere else. With `verify`, the copy is then
    compared with the source table by table (only meaningful while nobody writes to the source).
    `report` is told the progress, a line at a time.
    """
    head = migrations.head_revision()
    if migrations.current_revision(source) != head:
        raise CopyError(f"the source database is not at revision {head}; run `sectorfacts migrate` on it")
    with snapshot_read(source) as reader:
        counts = copy_from(reader, target, report=report)
    if verify:
        started = time.monotonic()
        differing = first_difference(source, target)
        if differing is not None:
            raise CopyError(f"the copy differs from the source (table {differing})")
        report(f"verified every table: {time.monotonic() - started:.1f} s")
    return counts


@contextmanager
def snapshot_read(database: Database) -> Iterator[Connection]:
    """A read transaction that sees one snapshot of the whole database for as long as it lasts: SQLite's
    read transactions always do; PostgreSQL's do at REPEATABLE READ (READ COMMITTED would not)."""
    with database.read() as reader:
        if database.url.get_backend_name() == "postgresql":
            reader = reader.execution_options(isolation_level="REPEATABLE READ")
        yield reader


def _batches(reader: Connection, table: Table) -> Iterator[Sequence[Any]]:
    ordered = select(table).order_by(*table.primary_key.columns)
    yield from reader.execution_options(yield_per=BATCH).execute(ordered).partitions(BATCH)


def copy_from(reader: Connection, target: Database, *, report: Report = _quiet) -> dict[str, int]:
    """Copy every data table as `reader` sees it into an empty `target` (migrated to head first), rebuild
    the claim bodies there; returns rows per table.

    Into PostgreSQL the rows go by COPY, with the derived tables, keys and indexes built after them
    (`app.services.bulk_load`); into SQLite by batched INSERTs, its triggers keeping the derived tables
    (the claim numbers refilled after them, deleted claims' ids included).
    """
    migrations.upgrade(target)
    with target.write() as writer:
        if any(_row_counts(writer).values()):
            raise CopyError("the target database is not empty; copy only into an empty database")
        if target.url.get_backend_name() == "postgresql":
            with deferred_upkeep(writer, report):
                for table in data_tables():
                    copy_rows(writer, table, _batches(reader, table), report)
                reset_sequences(writer)
            return _row_counts(writer)
        for table in data_tables():
            rows = reader.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*table.primary_key.columns)
            )
            for batch in rows.partitions(BATCH):
                writer.execute(insert(table), [dict(row._mapping) for row in batch])
        refresh_claim_bodies(writer)
        # The trigger counted the claims; the change log's deleted claim ids count too.
        refresh_claim_numbers(writer)
        return _row_counts(writer)
