"""Optional dependencies: which setting needs which package, and the one line that says how to install it.

A plain `pip install sectorfacts` serves SQLite with counts in memory. A PostgreSQL URL needs a driver and a
shared rate-limit store needs its client; without them SQLAlchemy and `limits` die with a bare
ModuleNotFoundError deep in a traceback. The checks here run before either is asked, and name the extra.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from app.config import Settings


@dataclass(frozen=True)
class Requirement:
    """A module a feature imports, and how to install it."""

    module: str
    install: str


POSTGRES = Requirement("psycopg", "pip install 'sectorfacts[postgres]'")
REDIS = Requirement("redis", "pip install 'sectorfacts[redis]'")
# SQLAlchemy's driver name (`postgresql+<driver>://`; plain `postgresql://` means psycopg2) → what it imports.
DATABASE_DRIVERS: dict[str, Requirement] = {
    "psycopg": POSTGRES,
    "psycopg2": Requirement(
        "psycopg2", "pip install 'sectorfacts[postgres]' and write the URL as postgresql+psycopg://…"
    ),
    "pg8000": Requirement("pg8000", "pip install pg8000"),
    "asyncpg": Requirement("asyncpg", "pip install asyncpg"),
}
# A `limits` storage URI's scheme (before any `+`, after any `async+`) → the client library it imports.
RATE_LIMIT_STORAGES: dict[str, Requirement] = {
    "redis": REDIS,
    "rediss": REDIS,
    "valkey": Requirement("valkey", "pip install valkey"),
    "valkeys": Requirement("valkey", "pip install valkey"),
    "memcached": Requirement("pymemcache", "pip install pymemcache"),
    "mongodb": Requirement("pymongo", "pip install pymongo"),
}
# A dependency of every install, missing only from one made before it was added (`sectorfacts mcp`).
MCP = Requirement("mcp", "pip install --upgrade sectorfacts (the MCP SDK is one of its dependencies)")
# Every module named above, for a ModuleNotFoundError raised anyway (e.g. by a path not checked first).
BY_MODULE = {
    requirement.module: requirement
    for requirement in (*DATABASE_DRIVERS.values(), *RATE_LIMIT_STORAGES.values(), MCP)
}


class MissingDependency(RuntimeError):
    """A setting needs a package that is not installed; the message says which and how to install it."""

    def __init__(self, requirement: Requirement, needed_for: str) -> None:
        self.requirement = requirement
        super().__init__(
            f"{needed_for} needs the Python package {requirement.module!r}, which is not installed: "
            f"{requirement.install}"
        )


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require_database_driver(database_url: str, setting: str = "SECTORFACTS_DATABASE_URL") -> None:
    """Raise MissingDependency when the URL's driver is not installed (SQLite's is always there)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return  # not a URL: SQLAlchemy's own error says so
    requirement = DATABASE_DRIVERS.get(url.get_driver_name())
    if requirement is not None and not _installed(requirement.module):
        raise MissingDependency(requirement, f"{setting} ({url.drivername}://…)")


def require_rate_limit_storage(storage_uri: str) -> None:
    """Raise MissingDependency when the `limits` storage's client library is not installed."""
    scheme = storage_uri.split("://", 1)[0].removeprefix("async+").split("+", 1)[0]
    requirement = RATE_LIMIT_STORAGES.get(scheme)
    if requirement is not None and not _installed(requirement.module):
        raise MissingDependency(requirement, f"SECTORFACTS_RATE_LIMIT_STORAGE ({scheme}://…)")


def check_settings(settings: Settings) -> None:
    """Every package the settings need, checked before anything is started; raises MissingDependency."""
    require_database_driver(settings.database_url)
    if settings.read_database_url:
        require_database_driver(settings.read_database_url, "SECTORFACTS_READ_DATABASE_URL")
    if settings.rate_limit:
        require_rate_limit_storage(settings.rate_limit_storage)


def explain(error: ModuleNotFoundError) -> str | None:
    """How to install the module an import missed, when it is one of the optional ones; else None."""
    requirement = BY_MODULE.get((error.name or "").split(".", 1)[0])
    if requirement is None:
        return None
    return f"the Python package {requirement.module!r} is not installed: {requirement.install}"
