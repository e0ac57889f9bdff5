"""The `backup` and `restore` commands of `sectorfacts`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import Settings
from app.db import create_database
from app.services.backup import BackupError, backup, restore


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        backup(database, Path(args.path))
    except BackupError as error:
        print(f"sectorfacts: backup refused: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"sectorfacts: consistent snapshot written to {args.path} (a SQLite file)")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        counts = restore(Path(args.path), database)
    except BackupError as error:
        print(f"sectorfacts: restore refused: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    rows = ", ".join(f"{table} {count}" for table, count in counts.items())
    print(f"sectorfacts: restored and verified every table ({rows})")
    return 0


def add_backup_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup` and `restore`."""
    saving = commands.add_parser(
        "backup", help="write a consistent snapshot of the live database to a new SQLite file"
    )
    saving.add_argument("path", help="the snapshot file to create (must not exist)")
    saving.set_defaults(handler=_backup)
    loading = commands.add_parser("restore", help="load a snapshot into the (empty) configured database")
    loading.add_argument("path", help="a snapshot made by `sectorfacts backup`")
    loading.set_defaults(handler=_restore)
