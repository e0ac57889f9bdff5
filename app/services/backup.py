"""Online backups: a consistent SQLite snapshot of the live database, and restoring one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from app.config import Settings
from app.db import Database, create_database
from app.services.copying import CopyError, copy_database, first_difference


class BackupError(Exception):
    """The backup or restore could not be made; nothing was changed."""


def _sqlite_path(database: Database) -> str:
    path = database.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return path


def backup(database: Database, target: Path) -> int:
    """Write a consistent snapshot of `database` to the SQLite file `target`; returns its page count.

    SQLite: the online backup API copies every page in one step inside one read transaction, so the
    snapshot is consistent while writers go on (WAL). PostgreSQL: the data are copied, table by table
    in one repeatable-read snapshot, into a new SQLite file (for a server-side dump, use pg_dump).
    """
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    if database.is_sqlite:
        source = sqlite3.connect(f"file:{_sqlite_path(database)}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination, pages=-1)
            pages = int(destination.execute("PRAGMA page_count").fetchone()[0])
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            destination.close()
            source.close()
        if check != "ok":
            target.unlink()
            raise BackupError(f"the snapshot failed its integrity check: {check}")
        return pages
    snapshot = create_database(Settings(database_url=f"sqlite:///{target}"))
    try:
        copy_database(database, snapshot, verify=False)
    except CopyError as error:
        raise BackupError(str(error)) from error
    finally:
        snapshot.dispose()
    return 0


def restore(snapshot: Path, database: Database) -> dict[str, int]:
    """Load a snapshot made by `backup` into an empty database (any engine); returns rows per table."""
    if not snapshot.is_file():
        raise BackupError(f"{snapshot} is not a file")
    # No time limit on the snapshot's reads: a table streams out for as long as the restore takes.
    source = create_database(Settings(database_url=f"sqlite:///{snapshot}", query_timeout_ms=0))
    try:
        counts = copy_database(source, database)
        if first_difference(source, database) is not None:
            raise BackupError("the restored database differs from the snapshot")
        return counts
    except CopyError as error:
        raise BackupError(str(error)) from error
    finally:
        source.dispose()


def describe(url: str) -> str:
    """A URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)
