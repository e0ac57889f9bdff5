"""Alembic environment: runs on the connection the caller hands over, or on SECTORFACTS_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.config import Settings
from app.db import create_database
from app.models import metadata
from app.services.migrations import include_object

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the caller's connection when given one, else on a fresh write connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = create_database(Settings())
    try:
        with database.write_engine.connect() as new_connection:
            _run(new_connection)
            new_connection.commit()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
