"""The `sectorfacts` command: serve, migrate, seed, rebuild, copy, and curation (keys, ingest)."""

from __future__ import annotations

import argparse
import logging.config
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from alembic.util import CommandError
from sqlalchemy import func, select

from app.cli_backup import add_backup_commands
from app.cli_curation import add_curation_commands
from app.cli_mcp import add_mcp_command
from app.cli_snapshot import add_snapshot_command
from app.config import Settings
from app.db import Database, create_database
from app.drafting.command import add_draft_command
from app.optional import MissingDependency, check_settings, explain
from app.services import migrations
from app.services.annotations import SeedError
from app.services.claim_bodies import refresh_claim_bodies
from app.services.copying import CopyError, copy_database
from app.services.search import index as search_index
from app.services.tables import DOCUMENT
from app.services.writes.claim_ids import refresh_claim_numbers
from seed.loader import DEFAULT_ANNOTATIONS, load_seed

if TYPE_CHECKING:
    import uvicorn


def _is_empty(database: Database) -> bool:
    with database.read() as connection:
        return connection.execute(select(func.count()).select_from(DOCUMENT)).scalar_one() == 0


def prepare(database: Database, *, seed_if_empty: bool) -> None:
    """Migrate to head and, on an empty database, load the seed annotations."""
    migrations.upgrade(database)
    if seed_if_empty and _is_empty(database):
        report = load_seed(database)
        print(f"sectorfacts: seeded an empty database: {report}", file=sys.stderr)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.logging import logging_config

    check_settings(settings)  # before uvicorn, whose traceback would bury the install hint
    if not args.no_setup:
        database = create_database(settings)
        try:
            prepare(database, seed_if_empty=settings.seed_on_empty)
        finally:
            database.dispose()
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # Python's own event loop, not uvloop: saturated, uvloop left some connections' first requests
        # unanswered for seconds (docs/performance.md, "256 connections").
        loop="asyncio",
        proxy_headers=True,
        log_config=logging_config(settings),
        access_log=False,  # HttpMiddleware (app/api/middleware/http.py) writes a richer one
        # Open change streams never end by themselves: past this, shutdown cancels what still runs.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_s)),
    )
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[tcp_listener(config)]).run()
        return 0
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 3


def tcp_listener(config: uvicorn.Config) -> socket.socket:
    """The listening socket uvicorn binds for its worker processes, marked as TCP (`IPPROTO_TCP`).

    uvicorn leaves its `proto` at 0, accepted connections inherit it, and asyncio sets TCP_NODELAY only
    on sockets whose `proto` is TCP: without it every keep-alive request after a connection's first
    waited for the client's delayed ACK, about 40 ms (uvicorn issue 3149)."""
    bound = config.bind_socket()
    listener = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    listener.set_inheritable(True)
    return listener


def _deliver(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import signal

    from app.logging import logging_config
    from app.services.webhook_delivery import Deliverer

    logging.config.dictConfig(logging_config(settings))
    database = create_database(settings)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await Deliverer(database, settings).run(stop)

    try:
        asyncio.run(run())
    finally:
        database.dispose()
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        if args.revision.startswith("-") or args.downgrade:
            migrations.downgrade(database, args.revision)
        else:
            migrations.upgrade(database, args.revision)
        print(f"sectorfacts: database at revision {migrations.current_revision(database)}")
    except CommandError as error:
        print(f"sectorfacts: migrate refused: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        migrations.upgrade(database)
        report = load_seed(database, Path(args.file))
    except SeedError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"sectorfacts: {report}")
    return 0


def _progress(line: str) -> None:
    print(f"sectorfacts: {line}", file=sys.stderr, flush=True)


def _copy(args: argparse.Namespace, settings: Settings) -> int:
    # No time limit on the source's reads: a table streams out for as long as the copy takes.
    source = create_database(settings.model_copy(update={"database_url": args.source, "query_timeout_ms": 0}))
    target = create_database(settings.model_copy(update={"database_url": args.target}))
    try:
        counts = copy_database(source, target, report=_progress)
    except CopyError as error:
        print(f"sectorfacts: copy refused: {error}", file=sys.stderr)
        return 1
    finally:
        source.dispose()
        target.dispose()
    rows = ", ".join(f"{table} {count}" for table, count in counts.items())
    print(f"sectorfacts: copied and verified every table ({rows})")
    return 0


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    database = create_database(settings)
    try:
        with database.maintenance() as connection:
            bodies = refresh_claim_bodies(connection)
            entries = search_index.rebuild(connection)
            refresh_claim_numbers(connection)
    finally:
        database.dispose()
    print(f"sectorfacts: rebuilt {bodies} claim bodies and {entries} search entries")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="sectorfacts",
        description="Sector Facts API. The database is SECTORFACTS_DATABASE_URL (default: SQLite in ./data).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, seed an empty database, and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--no-setup",
        action="store_true",
        help="skip migrating and seeding (when a one-off job does it, e.g. with many replicas)",
    )
    serve.set_defaults(handler=_serve)
    migrate = commands.add_parser("migrate", help="migrate the schema (default: to the newest revision)")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", action="store_true", help="migrate down to REVISION")
    migrate.set_defaults(handler=_migrate)
    seed = commands.add_parser("seed", help="validate and load an annotation file (idempotent)")
    seed.add_argument("file", nargs="?", default=str(DEFAULT_ANNOTATIONS))
    seed.set_defaults(handler=_seed)
    copy = commands.add_parser("copy", help="copy a whole database into an empty one, on any engine")
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="database to copy")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="empty database to fill")
    copy.set_defaults(handler=_copy)
    rebuild = commands.add_parser(
        "rebuild",
        help="rebuild what the service derives from the data: claim bodies, the search index, claim numbers",
    )
    rebuild.set_defaults(handler=_rebuild)
    deliver = commands.add_parser(
        "deliver",
        help="deliver webhooks until stopped (SIGINT or SIGTERM), e.g. beside servers started with "
        "SECTORFACTS_WEBHOOK_DELIVERY=false",
    )
    deliver.set_defaults(handler=_deliver)
    add_draft_command(commands)
    add_curation_commands(commands)
    add_backup_commands(commands)
    add_mcp_command(commands)
    add_snapshot_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sectorfacts` command."""
    args = build_parser().parse_args(argv)
    handler = args.handler
    try:
        result: int = handler(args, Settings())
    except MissingDependency as error:
        print(f"sectorfacts: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if (hint := explain(error)) is None:
            raise
        print(f"sectorfacts: {hint}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
