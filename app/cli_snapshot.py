"""The `snapshot` command of `sectorfacts`: the whole fact base as files, from one consistent read."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import Settings
from app.db import create_database
from app.services.copying import CopyError
from app.services.snapshots import DEFAULT_KEEP, SnapshotError, write_snapshot


def _snapshot(args: argparse.Namespace, settings: Settings) -> int:
    folder = args.dir or settings.snapshot_dir
    if not folder:
        print("sectorfacts: snapshot needs --dir or SECTORFACTS_SNAPSHOT_DIR", file=sys.stderr)
        return 1
    # One read runs as long as the whole snapshot takes: no per-query time limit on it.
    database = create_database(settings.model_copy(update={"query_timeout_ms": 0}))
    try:
        manifest = write_snapshot(database, Path(folder), keep=args.keep)
    except (SnapshotError, CopyError) as error:
        print(f"sectorfacts: snapshot refused: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    counts = ", ".join(f"{kind} {count}" for kind, count in manifest.counts.items())
    print(f"sectorfacts: snapshot {manifest.id} in {folder} at change {manifest.change_id} ({counts})")
    return 0


def add_snapshot_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `snapshot`."""
    snapshot = commands.add_parser(
        "snapshot",
        help="write the whole fact base (NDJSON per kind, SQLite, a manifest) from one consistent read",
    )
    snapshot.add_argument("--dir", help="the snapshots folder (default: SECTORFACTS_SNAPSHOT_DIR)")
    snapshot.add_argument(
        "--keep", type=int, default=DEFAULT_KEEP, help="how many snapshots to keep, newest first"
    )
    snapshot.set_defaults(handler=_snapshot)
