"""Loads a synthetic corpus through the service's own schema: Alembic migrations, then in one transaction
the rows (Core bulk inserts on SQLite; COPY on PostgreSQL, derived tables and indexes built after the
rows, as `sectorfacts copy` does) and the service's own search-index rebuild. SQLite files are cached
under bench/.cache/."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, create_engine, func, insert, make_url, select, text

from app.config import Settings
from app.db import Database, create_database
from app.services import migrations
from app.services.bulk_load import copy_rows, deferred_upkeep, reset_sequences
from app.services.claim_bodies import refresh_claim_bodies
from app.services.search import index as search_index
from app.services.tables import (
    CLAIM,
    CLAIM_ENTITY,
    CLAIM_THEME,
    CONTEXT_NOTE,
    DOCUMENT,
    ENTITY,
    ENTITY_ALIAS,
    THEME,
)
from bench.corpus import Corpus

CACHE = Path(__file__).resolve().parent / ".cache"
# Bump when the generator changes, so stale cached corpora are not reused.
CORPUS_VERSION = 1
TABLES = {
    "document": DOCUMENT,
    "claim": CLAIM,
    "claim_theme": CLAIM_THEME,
    "claim_entity": CLAIM_ENTITY,
    "context_note": CONTEXT_NOTE,
}


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _quiet(_: str) -> None:
    """Per-COPY progress is too fine here: `_fill_postgres` logs its own."""


def _copy_dicts(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        copy_rows(connection, table, [[[row[name] for name in columns] for row in rows]], _quiet, columns)


def _fill_postgres(database: Database, corpus: Corpus) -> None:
    """`fill` on PostgreSQL: every row by COPY with no per-row upkeep, then the search index, and the
    derived tables, keys, indexes and claim bodies built once (`deferred_upkeep`)."""
    started = time.monotonic()

    def log(line: str) -> None:
        _log(f"  {line} ({time.monotonic() - started:.0f} s in all)")

    with database.write() as connection, deferred_upkeep(connection, log):
        _copy_dicts(connection, THEME, corpus.theme_rows())
        entities, aliases = corpus.entity_rows()
        _copy_dicts(connection, ENTITY, entities)
        _copy_dicts(connection, ENTITY_ALIAS, aliases)
        loaded = 0
        for batch in corpus.batches():
            for name, table in TABLES.items():
                _copy_dicts(connection, table, batch[name])
            loaded += len(batch["claim"])
            if loaded % 200_000 < len(batch["claim"]):
                log(f"{loaded:,} claims copied")
        reset_sequences(connection)  # themes and entities came with their ids
        indexed = search_index.rebuild(connection, batch=5000)
        log(f"search index: {indexed:,} entries")
    _log(f"  loaded {corpus.size:,} claims in {time.monotonic() - started:.0f} s")


def fill(database: Database, corpus: Corpus) -> None:
    """Migrate, bulk-load the corpus and rebuild the search index and claim bodies, in one write
    transaction."""
    started = time.monotonic()
    migrations.upgrade(database)
    if not database.is_sqlite:
        _fill_postgres(database, corpus)
        return
    with database.write() as connection:
        connection.execute(insert(THEME), corpus.theme_rows())
        entities, aliases = corpus.entity_rows()
        connection.execute(insert(ENTITY), entities)
        if aliases:
            connection.execute(insert(ENTITY_ALIAS), aliases)
        loaded = 0
        for batch in corpus.batches():
            for name, table in TABLES.items():
                connection.execute(insert(table), batch[name])
            loaded += len(batch["claim"])
            if loaded % 200_000 < len(batch["claim"]):
                _log(f"  {loaded:,} claims inserted ({time.monotonic() - started:.0f} s)")
        indexed = search_index.rebuild(connection, batch=5000)
        _log(f"  search index: {indexed:,} entries ({time.monotonic() - started:.0f} s)")
        bodies = refresh_claim_bodies(connection)
        _log(f"  claim bodies: {bodies:,} ({time.monotonic() - started:.0f} s)")
    database.dispose()
    with sqlite3.connect(database.url.database or "") as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    _log(f"  loaded {corpus.size:,} claims in {time.monotonic() - started:.0f} s")


def _claim_count(database: Database) -> int | None:
    try:
        with database.read() as connection:
            return int(connection.execute(select(func.count()).select_from(CLAIM)).scalar_one())
    except Exception:
        return None


def sqlite_corpus(size: int) -> Path:
    """The cached SQLite file holding `size` claims, generated on first use; migrated to head."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"claims-{size}-v{CORPUS_VERSION}.db"
    if path.exists():
        database = create_database(Settings(database_url=f"sqlite:///{path}"))
        try:
            migrations.upgrade(database)  # new index migrations apply to cached corpora too
            if _claim_count(database) == size:
                return path
        finally:
            database.dispose()
        path.unlink()
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    _log(f"generating {size:,} claims into {path.name}")
    database = create_database(Settings(database_url=f"sqlite:///{partial}"))
    try:
        fill(database, Corpus(size))
    finally:
        database.dispose()
    partial.rename(path)
    return path


def postgres_corpus(size: int, server_url: str) -> str:
    """URL of a PostgreSQL database holding `size` claims (created and loaded on first use)."""
    name = f"sectorfacts_bench_{size}_v{CORPUS_VERSION}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
        if exists:
            database = create_database(Settings(database_url=url))
            try:
                migrations.upgrade(database)
                if _claim_count(database) == size:
                    return url
            finally:
                database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    _log(f"loading {size:,} claims into PostgreSQL database {name}")
    database = create_database(Settings(database_url=url))
    try:
        fill(database, Corpus(size))
    finally:
        database.dispose()
    return url
