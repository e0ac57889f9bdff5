"""Schema migrations through Alembic, driven from code (the CLI, first start and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from app.db import Database
from app.services.claim_bodies import ensure_claim_bodies

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


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
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if MigrationContext.configure(connection).get_current_revision() == head_revision():
            ensure_claim_bodies(connection)


def downgrade(database: Database, revision: str = "base") -> None:
    """Migrate the database down to `revision`, in one transaction."""
    config = alembic_config()
    with database.write() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


# Objects that only the migrations know: SQLite's FTS5 table and its shadow tables, PostgreSQL's
# generated tsvector column, and the trigger-kept claim_tally (0004), claim_pair (0006), SQLite's search
# postings and their tallies (0007), claim_by_theme and claim_by_entity (0008). Autogenerate and the
# models check leave them alone.
_MIGRATION_ONLY_TABLES = (
    "search_fts",
    "search_posting",
    "search_term",
    "search_tally",
    "claim_tally",
    "claim_pair",
    "claim_by_theme",
    "claim_by_entity",
)
_MIGRATION_ONLY_COLUMNS = {("search_entry", "tsv")}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
    """Alembic filter: False for the objects the migrations own outside the models."""
    if type_ == "table" and name is not None and name.startswith(_MIGRATION_ONLY_TABLES):
        return False
    if type_ == "column" and reflected and (getattr(obj, "table", None) is not None):
        return (obj.table.name, name) not in _MIGRATION_ONLY_COLUMNS
    return not (type_ == "index" and name == "ix_search_entry_tsv")
