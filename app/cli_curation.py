"""The curation subcommands of `sectorfacts`: `keys create|list|revoke` and `ingest FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings
from app.db import create_database
from app.models import KEY_SCOPES
from app.services import api_keys, migrations
from app.services.writes.ingest import IngestError, Progress, ingest

BAR_WIDTH = 30


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        migrations.upgrade(database)
        info, key = api_keys.create_key(database, args.name, args.scope)
    except ValueError as error:
        print(f"sectorfacts: keys create refused: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(
        f"sectorfacts: made key {info.id} {info.name!r}, scope {info.scope}, prefix {info.prefix}",
        file=sys.stderr,
    )
    print("sectorfacts: this is the only time it is shown (only its hash is kept):", file=sys.stderr)
    print(key)
    return 0


def _keys_list(_args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        keys = api_keys.list_keys(database)
    finally:
        database.dispose()
    print(f"{'id':>4}  {'name':<24} {'scope':<6} {'prefix':<13} {'created (UTC)':<20} revoked (UTC)")
    for key in keys:
        revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M:%S") if key.revoked_at else "-"
        created = key.created_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{key.id:>4}  {key.name[:24]:<24} {key.scope:<6} {key.prefix:<13} {created:<20} {revoked}")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        revoked = api_keys.revoke_key(database, args.key)
    finally:
        database.dispose()
    if revoked is None:
        print(f"sectorfacts: no single unrevoked key has id or prefix {args.key!r}", file=sys.stderr)
        return 1
    print(f"sectorfacts: key {revoked.id} {revoked.name!r} ({revoked.prefix}) revoked")
    return 0


def progress_bar(stream: TextIO) -> Progress:
    """A progress callback drawing `ingest [#####-----] 12/40` on `stream` (in place on a terminal)."""
    interactive = stream.isatty()
    shown = -1

    def draw(done: int, total: int) -> None:
        nonlocal shown
        filled = BAR_WIDTH * done // max(total, 1)
        tick = filled if interactive else 10 * done // max(total, 1)
        if tick == shown and done != total:
            return  # a log file gets a line per tenth, not one per item
        shown = tick
        line = f"ingest [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total}"
        stream.write(f"\r{line}" if interactive else f"{line}\n")
        if interactive and done == total:
            stream.write("\n")
        stream.flush()

    return draw


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        migrations.upgrade(database)
        report = ingest(database, Path(args.file), progress=None if args.quiet else progress_bar(sys.stderr))
    except IngestError as error:
        print(error, file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"sectorfacts: ingest failed, nothing loaded: {type(error).__name__}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    for kept in report.kept:
        print(f"sectorfacts: {kept}", file=sys.stderr)
    print(f"sectorfacts: {report}")
    return 0


def add_curation_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `keys` and `ingest`."""
    keys = commands.add_parser("keys", help="make, list and revoke API keys (writes need one)")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key and print it (the only time it is shown)")
    create.add_argument("--name", required=True, help="who or what uses it; the change log names it")
    create.add_argument("--scope", choices=KEY_SCOPES, default="write", help="read, write (default) or admin")
    create.set_defaults(handler=_keys_create)
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.set_defaults(handler=_keys_list)
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key", help="the key's id or prefix, as `keys list` shows them")
    revoke.set_defaults(handler=_keys_revoke)
    loader = commands.add_parser(
        "ingest", help="add a new annotated document (the seed's format; schema at /v1/schema/annotations)"
    )
    loader.add_argument("file", help="the annotation file (YAML or JSON), its text files beside it")
    loader.add_argument("--quiet", action="store_true", help="no progress bar")
    loader.set_defaults(handler=_ingest)
