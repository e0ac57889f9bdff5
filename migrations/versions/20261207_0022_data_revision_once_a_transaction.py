"""Data revision on PostgreSQL: moved on once a transaction, not once a statement.

Hand-written. Migration 0017's statement triggers add 1 to the one `data_revision` row after every
statement on a watched table. A transaction that writes many statements (`sectorfacts ingest` of a file:
several statements a claim) updated that row thousands of times, and each update of a row the
transaction has already updated walks the versions it left: the cost grew with the square of the
statements. Readers only ask whether the revision moved, and they see a transaction's writes all at once,
at its commit, so moving it once a transaction tells them the same. The trigger remembers that it moved
it in a setting local to the transaction (`set_config(..., true)`), which its end, or the rollback of a
savepoint that moved it, resets. SQLite keeps its row triggers: its updates in place cost the same each
time.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

# Frozen copy of migration 0017's statement, and the transaction's setting that says it ran.
BUMP = "UPDATE data_revision SET revision = revision + 1 WHERE id = 1;"
MOVED = "sectorfacts.data_revision_moved"

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION data_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF current_setting('{MOVED}', true) IS DISTINCT FROM 'yes' THEN {BUMP} "
            f"PERFORM set_config('{MOVED}', 'yes', true); END IF; RETURN NULL; END $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION data_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP} RETURN NULL; END $$"
        )
