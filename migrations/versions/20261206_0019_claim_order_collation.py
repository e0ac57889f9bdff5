"""Claims in order, collated as the claims are: the derived tables' ids compare byte-wise on PostgreSQL.

Hand-written. claim_pair, claim_by_theme and claim_by_entity (migrations 0006 and 0008) were created
with the server's default collation for document_id and claim_id, where every other id column is "C"
(app.models.base.key_text). Their row triggers find a claim's rows by `claim_id = OLD.claim_id`: a "C"
value against a default-collation column, which the claim_id index cannot serve, so each link removed
read the whole table. The columns become "C" (each table rewritten once, its indexes rebuilt), so the
index serves the triggers and the tables' key order is the claims' own on any server; the trigger
functions compare the link's value so that the plan they keep cannot walk a popular value's range of
the primary key instead. SQLite has one byte-wise collation, and its triggers use the claim_id index
already: nothing changes there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Per row trigger function of 0006 and 0008: its table, the link's value column, and the rows it adds.
SYNCED = {
    "claim_by_theme_sync": (
        "claim_by_theme",
        "theme_id",
        "INSERT INTO claim_by_theme (theme_id, document_id, span_start, span_end, claim_id, kind) "
        "SELECT NEW.theme_id, c.document_id, c.span_start, c.span_end, c.id, c.kind FROM claim c "
        "WHERE c.id = NEW.claim_id;",
    ),
    "claim_by_entity_sync": (
        "claim_by_entity",
        "entity_id",
        "INSERT INTO claim_by_entity (entity_id, document_id, span_start, span_end, claim_id, kind) "
        "SELECT NEW.entity_id, c.document_id, c.span_start, c.span_end, c.id, c.kind FROM claim c "
        "WHERE c.id = NEW.claim_id;",
    ),
    "claim_theme_pair_rows_sync": (
        "claim_pair",
        "theme_id",
        "INSERT INTO claim_pair (theme_id, entity_id, document_id, span_start, span_end, claim_id) "
        "SELECT NEW.theme_id, o.entity_id, c.document_id, c.span_start, c.span_end, c.id "
        "FROM claim_entity o JOIN claim c ON c.id = o.claim_id WHERE o.claim_id = NEW.claim_id;",
    ),
    "claim_entity_pair_rows_sync": (
        "claim_pair",
        "entity_id",
        "INSERT INTO claim_pair (theme_id, entity_id, document_id, span_start, span_end, claim_id) "
        "SELECT o.theme_id, NEW.entity_id, c.document_id, c.span_start, c.span_end, c.id "
        "FROM claim_theme o JOIN claim c ON c.id = o.claim_id WHERE o.claim_id = NEW.claim_id;",
    ),
}


def _functions(value_term: str) -> None:
    """(Re)define the trigger functions, the link's value compared as `value_term` (`{}`: the column)."""
    for function, (table, value, add) in SYNCED.items():
        # Built from this file's constants only (no input): S608 does not apply.
        term = value_term.format(value)
        remove = f"DELETE FROM {table} WHERE claim_id = OLD.claim_id AND {term} = OLD.{value};"  # noqa: S608
        op.execute(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {remove} END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {add} END IF; RETURN NULL; END $$"
        )


def _collate(collation: str) -> None:
    for table in ("claim_pair", "claim_by_theme", "claim_by_entity"):
        columns = ", ".join(
            f'ALTER COLUMN {column} TYPE VARCHAR(100) COLLATE "{collation}"'
            for column in ("document_id", "claim_id")
        )
        op.execute(f"ALTER TABLE {table} {columns}")
        # The rewrite drops the columns' statistics; without them the planner guesses.
        op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _collate("C")
    # `+ 0`: the value is no index column to the planner, so the claim_id index finds the claim's few
    # rows; a generic plan keyed by the primary key's leading value walked all of a popular theme's.
    _functions("{} + 0")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _functions("{}")
    _collate("default")
