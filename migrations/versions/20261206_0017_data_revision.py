"""Data revision: a counter every write to the data an answer is computed from moves on.

Hand-written. `data_revision` holds one row; triggers on the claims, their links and relations, the
themes, entities, aliases, documents, search entries and stored claim answers add 1 to it (row triggers
on SQLite, statement triggers on PostgreSQL, so a bulk insert moves it once), whatever path writes. A
process may keep an answer computed at one revision while the revision stays the same (app/answer_cache.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = (
    "claim",
    "claim_theme",
    "claim_entity",
    "claim_relation",
    "theme",
    "entity",
    "entity_alias",
    "document",
    "search_entry",
    "claim_body",
)
BUMP = "UPDATE data_revision SET revision = revision + 1 WHERE id = 1;"
OPERATIONS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}


def upgrade() -> None:
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
    op.execute("INSERT INTO data_revision (id, revision) VALUES (1, 0)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.execute(
            "CREATE FUNCTION data_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP} RETURN NULL; END $$"
        )
    for table in WATCHED:
        for suffix, operation in OPERATIONS.items():
            name = f"{table}_revision_{suffix}"
            if sqlite:
                op.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {BUMP} END")
            else:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION data_revision_bump()"
                )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in WATCHED:
        for suffix in OPERATIONS:
            op.execute(f"DROP TRIGGER {table}_revision_{suffix}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute("DROP FUNCTION data_revision_bump()")
    op.drop_table("data_revision")
