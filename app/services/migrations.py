"""Schema migrations through Alembic, driven from code (the CLI, first start and tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

import migrations
from app.config import Settings
from app.db import Database, create_database
from app.models import exists_on, metadata
from app.services.claim_bodies import ensure_claim_bodies

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _hand_over(config: Config, connection: Connection) -> None:
    """What migrations/env.py runs on, compares and filters with: it imports nothing of the app."""
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    config.attributes["include_object"] = object_filter(connection.dialect.name)


def run_standalone(config: Config, run: Callable[[Connection], None]) -> None:
    """For the alembic command line (alembic.ini): `run` the migrations on SECTORFACTS_DATABASE_URL."""
    database = create_database(Settings())
    try:
        with database.write_engine.connect() as connection:
            _hand_over(config, connection)
            run(connection)
            connection.commit()
    finally:
        database.dispose()


def head_revision() -> str | None:
    """The newest revision in the migration history."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with database.read() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate the database up to `revision`, in one transaction; at the newest revision, rebuild the
    stored claim bodies too when they are missing or stale (migrations cannot build them: they do not
    import the app's schema)."""
    config = alembic_config()
    with database.write() as connection:
        _hand_over(config, connection)
        command.upgrade(config, revision)
        if MigrationContext.configure(connection).get_current_revision() == head_revision():
            ensure_claim_bodies(connection)


def downgrade(database: Database, revision: str = "base") -> None:
    """Migrate the database down to `revision`, in one transaction."""
    config = alembic_config()
    with database.write() as connection:
        _hand_over(config, connection)
        command.downgrade(config, revision)


# Not compared with the models. search_fts is an FTS5 virtual table: it reflects with untyped columns and
# without its rowid, and FTS5 keeps shadow tables of its own beside it (search_fts_data, _idx, _docsize,
# _config). PostgreSQL's generated tsvector column and its GIN index have
# no model type. The derived tables (tallies, claims in order, search postings) are compared like any other.
_UNCOMPARED_TABLES = ("search_fts",)
_UNCOMPARED_COLUMNS = {("search_entry", "tsv")}
_UNCOMPARED_INDEXES = {"ix_search_entry_tsv"}
# Model columns not compared on one engine: search_tally's key is SQLite's rowid, which SQLite reports
# nullable, and the model says so; a PostgreSQL key column is never nullable.
_UNCOMPARED_MODEL_COLUMNS = {"postgresql": {("search_tally", "id")}}

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def object_filter(dialect: str) -> IncludeObject:
    """Alembic's filter on the engine `dialect`: False for what is not compared with the models, and
    for the models of tables the migrations create on the other engine only."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        if type_ == "table" and name is not None:
            model = metadata.tables.get(name)
            return not name.startswith(_UNCOMPARED_TABLES) and (model is None or exists_on(model, dialect))
        if type_ == "column" and (getattr(obj, "table", None) is not None):
            if not reflected:
                return (obj.table.name, name) not in _UNCOMPARED_MODEL_COLUMNS.get(dialect, set())
            return (obj.table.name, name) not in _UNCOMPARED_COLUMNS
        return not (type_ == "index" and name in _UNCOMPARED_INDEXES)

    return include
