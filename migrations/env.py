"""Alembic environment: runs on the connection, models and filter the app hands over in `config.attributes`.

The migrations import nothing of the app (they are frozen; the app moves on). `sectorfacts migrate`, first
start and the tests go through app.services.migrations, which hands everything over. The alembic command
line has nobody to hand it over: alembic.ini names the app's function that opens the database
(SECTORFACTS_DATABASE_URL) and calls back here with its connection.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import Connection

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("target_metadata"),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=config.attributes.get("include_object"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _standalone() -> Callable[[Any, Callable[[Connection], None]], None]:
    """The function alembic.ini's `standalone` option names, as `module:function`."""
    option = config.get_main_option("standalone")
    if not option:
        raise SystemExit("no connection handed over and no `standalone` option: use `sectorfacts migrate`")
    module, _, name = option.partition(":")
    function: Callable[[Any, Callable[[Connection], None]], None] = getattr(
        importlib.import_module(module), name
    )
    return function


def run_migrations_online() -> None:
    """Migrate on the caller's connection when given one, else through the standalone function."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    _standalone()(config, _run)


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
