"""Bulk loading into PostgreSQL: rows by COPY, then the derived tables, constraints and indexes built once.

Row by row, a load pays for every index, foreign key and derived-table trigger on every row: a
1,000,000-claim corpus took over 25 minutes that way. Inside `deferred_upkeep` the triggers that keep
the derived tables (claim_tally, claim_pair, claim_by_theme, claim_by_entity, claim_number, the search
postings) are
disabled and the schema's keys, foreign keys and indexes dropped; at the end the derived tables are
filled by set-based SQL, the keys and indexes built (one sort each), the foreign keys validated in one
pass each, the claim bodies written, the triggers enabled and the tables analysed. Everything is one
transaction of the caller's: an error anywhere rolls all of it back, schema changes included.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, func, select, text, update

from app.models import data_tables
from app.services.claim_bodies import bodies_of, claim_rows
from app.services.search import postings
from app.services.tables import CLAIM, CLAIM_BODY, DATA_REVISION
from app.services.writes.claim_ids import FILL_CLAIM_NUMBERS

Report = Callable[[str], None]
# A progress line at most this often while one table's rows stream in.
PROGRESS_EVERY_S = 5.0
# Claims whose bodies are built per round: one bound id array per statement, so large rounds are cheap.
BODY_BATCH = 5000
# Claims from which bodies are built in worker processes, and how many (at most one per core).
POOL_FROM = 4 * BODY_BATCH
BODY_WORKERS = 2


def _quiet(_: str) -> None:
    """A report that says nothing (each batch's COPY of claim bodies)."""


# The derived tables' rows, from the data tables' rows: what the triggers of migrations 0004-0010 and 0018
# keep, computed for every row at once. ORDER BY: rows appended in key order build the key's B-tree fastest,
# and a table stored in its key's order has its key ranges read by index scans.
DERIVE = (
    "INSERT INTO claim_tally (dimension, value, claims) SELECT dimension, value, count(*) FROM ("
    "SELECT 'claim' AS dimension, '' AS value FROM claim "
    "UNION ALL SELECT 'kind', kind FROM claim "
    "UNION ALL SELECT 'document', document_id FROM claim "
    "UNION ALL SELECT 'theme', CAST(theme_id AS VARCHAR) FROM claim_theme "
    "UNION ALL SELECT 'entity', CAST(entity_id AS VARCHAR) FROM claim_entity "
    "UNION ALL SELECT 'pair', CAST(t.theme_id AS VARCHAR) || ':' || CAST(e.entity_id AS VARCHAR) "
    "FROM claim_theme t JOIN claim_entity e ON e.claim_id = t.claim_id"
    ") AS counted GROUP BY dimension, value ORDER BY dimension, value",
    "INSERT INTO claim_pair (theme_id, entity_id, document_id, span_start, span_end, claim_id) "
    "SELECT t.theme_id, e.entity_id, c.document_id, c.span_start, c.span_end, c.id FROM claim_theme t "
    "JOIN claim_entity e ON e.claim_id = t.claim_id JOIN claim c ON c.id = t.claim_id "
    "ORDER BY t.theme_id, e.entity_id, c.document_id, c.span_start, c.span_end, c.id",
    "INSERT INTO claim_by_theme (theme_id, document_id, span_start, span_end, claim_id, kind) "
    "SELECT l.theme_id, c.document_id, c.span_start, c.span_end, c.id, c.kind "
    "FROM claim_theme l JOIN claim c ON c.id = l.claim_id "
    "ORDER BY l.theme_id, c.document_id, c.span_start, c.span_end, c.id",
    "INSERT INTO claim_by_entity (entity_id, document_id, span_start, span_end, claim_id, kind) "
    "SELECT l.entity_id, c.document_id, c.span_start, c.span_end, c.id, c.kind "
    "FROM claim_entity l JOIN claim c ON c.id = l.claim_id "
    "ORDER BY l.entity_id, c.document_id, c.span_start, c.span_end, c.id",
    FILL_CLAIM_NUMBERS,
)
DERIVED_TABLES = (
    "claim_tally",
    "claim_pair",
    "claim_by_theme",
    "claim_by_entity",
    "claim_body",
    "claim_number",
    "search_posting",
    "search_term",
    "search_tally",
)

# The schema's keys and foreign keys, and the indexes no constraint owns, of every table but Alembic's.
_CONSTRAINTS = text(
    "SELECT k.conrelid::regclass::text, k.conname, k.contype, pg_get_constraintdef(k.oid) "
    "FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid "
    "WHERE r.relnamespace = current_schema()::regnamespace AND k.contype IN ('p', 'u', 'f') "
    "AND r.relname <> 'alembic_version' ORDER BY k.contype DESC, k.conname"
)
_INDEXES = text(
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class r ON r.oid = i.indrelid "
    "WHERE r.relnamespace = current_schema()::regnamespace AND r.relname <> 'alembic_version' "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1"
)
_TRIGGERED_TABLES = text(
    "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND r.relnamespace = current_schema()::regnamespace ORDER BY 1"
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Schema:
    """What `deferred_upkeep` took away, to put back: as PostgreSQL itself describes it."""

    keys: list[tuple[str, str, str]] = field(default_factory=list)  # (table, name, definition)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    triggered: list[str] = field(default_factory=list)  # tables with derived-table triggers


def _take_apart(connection: Connection) -> _Schema:
    schema = _Schema(triggered=list(connection.execute(_TRIGGERED_TABLES).scalars()))
    for table, name, kind, definition in connection.execute(_CONSTRAINTS):
        (schema.foreign_keys if kind == "f" else schema.keys).append((table, name, definition))
    schema.indexes = [definition for _, definition in connection.execute(_INDEXES)]
    for table in schema.triggered:
        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    # Foreign keys first: they depend on the keys they reference.
    for table, name, _ in schema.foreign_keys + schema.keys:
        connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}"))
    for index, _ in connection.execute(_INDEXES).all():
        connection.execute(text(f"DROP INDEX {index}"))
    return schema


def _timed(report: Report, what: str, step: Callable[[], Any]) -> None:
    started = time.monotonic()
    step()
    report(f"{what}: {time.monotonic() - started:.1f} s")


def _add_constraints(connection: Connection, constraints: Iterable[tuple[str, str, str]]) -> None:
    for table, name, definition in constraints:
        connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}"))


def _builders(claims: int) -> ProcessPoolExecutor | None:
    """Processes that build bodies while this one reads the next claims and writes the last bodies (the
    schema's validation is most of a body's cost): None, to build them here, when there are too few
    claims to be worth starting processes, or no fork to start them with (a forked worker starts at once,
    with the schema already imported, and never touches the inherited connection)."""
    if claims < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return None
    workers = min(BODY_WORKERS, os.cpu_count() or 1)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection inside the block (in worker processes forked inside it neither): bodies
    allocate millions of short-lived containers, freed by their reference counts, and the collector's
    passes over them were a third of the CPU time of building them. Cycles left are collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_claim_bodies(connection: Connection, report: Report) -> int:
    """Every claim's body, built by the service's own code, written by COPY a batch at a time (a COPY
    holds the connection: the next batch is read between two). Bodies are built in worker processes
    when there are many claims, a few batches ahead of the one being written."""
    ids = list(connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id)).scalars())
    with _no_cycle_collection():
        return _build_and_write_bodies(connection, ids, report)


def _build_and_write_bodies(connection: Connection, ids: list[str], report: Report) -> int:
    started = last_report = time.monotonic()
    written = 0
    pool = _builders(len(ids))
    building: deque[Future[list[tuple[str, str]]]] = deque()

    def write(rows: list[tuple[str, str]]) -> None:
        nonlocal written, last_report
        written += copy_rows(connection, CLAIM_BODY, [rows], _quiet, ("claim_id", "body"))
        if (now := time.monotonic()) - last_report >= PROGRESS_EVERY_S:
            last_report = now
            report(f"claim bodies: {written:,} of {len(ids):,} ({written / (now - started):,.0f} a second)")

    try:
        for start in range(0, len(ids), BODY_BATCH):
            rows = claim_rows(connection, ids[start : start + BODY_BATCH])
            if pool is None:
                write(bodies_of(rows))
                continue
            building.append(pool.submit(bodies_of, rows.detached()))
            # Enough batches in flight to keep every worker busy, few enough to bound the memory held.
            if len(building) > 2 * BODY_WORKERS:
                write(building.popleft().result())
        while building:
            write(building.popleft().result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report(f"claim bodies: {written:,} in {time.monotonic() - started:.1f} s")
    return written


def _put_back(connection: Connection, schema: _Schema, report: Report) -> None:
    # claim_body's key and foreign key are built after its rows, like every other table's.
    def bodies_last(constraints: list[tuple[str, str, str]]) -> tuple[list[Any], list[Any]]:
        body = [constraint for constraint in constraints if constraint[0] == CLAIM_BODY.name]
        return [constraint for constraint in constraints if constraint not in body], body

    keys, body_keys = bodies_last(schema.keys)
    foreign_keys, body_foreign_keys = bodies_last(schema.foreign_keys)

    def derive() -> None:
        for statement in DERIVE:
            connection.execute(text(statement))
        postings.derive(connection)

    def keys_and_indexes() -> None:
        _add_constraints(connection, keys)
        for definition in schema.indexes:
            connection.execute(text(definition))

    _timed(report, "derived tables (tallies, pairs, claims by theme and entity, search postings)", derive)
    _timed(report, "keys and indexes", keys_and_indexes)
    _timed(report, "foreign keys checked", lambda: _add_constraints(connection, foreign_keys))
    # Statistics before the claim bodies: their reads are planned from them (unanalysed tables get
    # sequential scans).
    _timed(report, "analyze", lambda: connection.execute(text("ANALYZE")))
    connection.execute(delete(CLAIM_BODY))
    _write_claim_bodies(connection, report)
    _add_constraints(connection, body_keys + body_foreign_keys)
    connection.execute(text("ANALYZE claim_body"))
    for table in schema.triggered:
        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    # The load ran with data_revision's triggers off too: move it on once, so no process keeps serving
    # an answer it kept before the load (app/answer_cache.py).
    connection.execute(update(DATA_REVISION).values(revision=DATA_REVISION.c.revision + 1))


@contextmanager
def deferred_upkeep(connection: Connection, report: Report) -> Iterator[None]:
    """Load an empty PostgreSQL database inside this block with no per-row upkeep; derived tables,
    keys, foreign keys, indexes, claim bodies and statistics are all built when it ends, in the
    caller's transaction. The derived tables must be empty when it starts."""
    if connection.dialect.name != "postgresql":
        raise ValueError("deferred_upkeep is for PostgreSQL")
    # Statements here run for minutes at scale: no per-statement limit, and room to sort in memory.
    connection.execute(text("SET LOCAL statement_timeout = 0"))
    connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    connection.execute(text("SET LOCAL work_mem = '256MB'"))
    schema = _take_apart(connection)
    yield
    _put_back(connection, schema, report)


def reset_sequences(connection: Connection) -> None:
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


def _row_converter(columns: Sequence[Column[Any]], connection: Connection) -> Callable[..., Any]:
    """Turns a row of Python values into what psycopg's COPY writes: each value through its column's
    own bind processing, as an INSERT would send it (JSON serialised, aware datetimes checked)."""
    dialect = connection.dialect
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    if not any(processors):
        return tuple
    pairs = list(enumerate(processors))

    def convert(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for position, process in pairs:
            if process is not None:
                values[position] = process(values[position])
        return values

    return convert


def copy_rows(
    connection: Connection,
    table: Table,
    batches: Iterable[Sequence[Sequence[Any]]],
    report: Report,
    columns: Sequence[str] | None = None,
) -> int:
    """Write `batches` of rows (values in `columns` order; default: every column of `table`) into
    `table` with COPY; returns the number of rows written. Reports rows per second as it goes."""
    chosen = [table.c[name] for name in columns] if columns else list(table.columns)
    convert = _row_converter(chosen, connection)
    names = ", ".join(_quote(column.name) for column in chosen)
    import psycopg  # an optional dependency: needed only here, on PostgreSQL

    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    started = last_report = time.monotonic()
    written = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {_quote(table.name)} ({names}) FROM STDIN") as copy:
        for batch in batches:
            for row in batch:
                copy.write_row(convert(row))
            written += len(batch)
            now = time.monotonic()
            if now - last_report >= PROGRESS_EVERY_S:
                last_report = now
                report(f"{table.name}: {written:,} rows ({written / (now - started):,.0f} rows/s)")
    elapsed = time.monotonic() - started
    if written:
        rate = written / max(elapsed, 1e-9)
        report(f"{table.name}: {written:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)")
    return written
