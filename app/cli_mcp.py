"""The `mcp` command of `sectorfacts`: the read-only MCP server, on stdio or streamable HTTP."""

from __future__ import annotations

import argparse
import sys

from app.config import Settings
from app.db import create_database

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    if args.http and settings.reads_require_key:
        # The MCP server reads the database directly and checks no API key: over HTTP it would open
        # to anyone what the API keeps behind keys.
        print(
            "sectorfacts: mcp --http refused: SECTORFACTS_READS_REQUIRE_KEY is set and the MCP server "
            "checks no key; run it on stdio, for one trusted client",
            file=sys.stderr,
        )
        return 1
    from app.mcp_server import build_server  # the SDK is imported by this command only

    database = create_database(settings)
    try:
        server = build_server(database, base_url=args.base_url)
        if args.http:
            server.run("streamable-http", host=args.host, port=args.port, streamable_http_path=args.path)
        else:
            server.run("stdio")  # stdout is the protocol's: nothing else may print there
    finally:
        database.dispose()
    return 0


def add_mcp_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `mcp`."""
    mcp = commands.add_parser(
        "mcp",
        help="serve the claims to AI assistants: a read-only MCP server (stdio by default)",
    )
    mcp.add_argument("--http", action="store_true", help="streamable HTTP on --host/--port instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=8001)
    mcp.add_argument("--path", default="/mcp", help="the HTTP endpoint's path")
    mcp.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help="where the HTTP API is served: claims' permalinks and citations link there",
    )
    mcp.set_defaults(handler=_mcp)
