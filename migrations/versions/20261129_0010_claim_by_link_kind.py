"""Claims by theme and by entity carry each claim's kind.

Hand-written. The facets of a list of one theme (entity) count its claims' kinds; `claim_by_theme`
(`claim_by_entity`) held each claim's order key only, so that facet read every claim's row by its id:
17 of the 26 ms of SQLite one theme's facets took at 100,000 claims, where its documents, counted from
the range alone, took 1.3 ms. Each row now holds its claim's kind too, kept by the same triggers as its
order key (0008): a new link copies it, and a claim whose kind changes changes it in every row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each ordered table: the link table it mirrors and that table's key column (as in 0008).
ORDERED = {
    "claim_by_theme": ("claim_theme", "theme_id"),
    "claim_by_entity": ("claim_entity", "entity_id"),
}


def _add(table: str, row: str, kind: bool) -> str:
    """The ordered row of link row `row`: its value with its claim's order key (and kind)."""
    _, key = ORDERED[table]
    kind_column, kind_value = (", kind", ", c.kind") if kind else ("", "")
    # Built from this file's constants only (no input): S608 does not apply.
    return (
        f"INSERT INTO {table} ({key}, document_id, span_start, span_end, claim_id{kind_column}) "  # noqa: S608
        f"SELECT {row}.{key}, c.document_id, c.span_start, c.span_end, c.id{kind_value} FROM claim c "
        f"WHERE c.id = {row}.claim_id;"
    )


def _remove(table: str, row: str) -> str:
    _, key = ORDERED[table]
    return f"DELETE FROM {table} WHERE claim_id = {row}.claim_id AND {key} = {row}.{key};"  # noqa: S608


def _move(table: str, row: str, kind: bool) -> str:
    kind_value = f", kind = {row}.kind" if kind else ""
    return (
        f"UPDATE {table} SET document_id = {row}.document_id, span_start = {row}.span_start, "  # noqa: S608
        f"span_end = {row}.span_end{kind_value} WHERE claim_id = {row}.id;"
    )


def _moved_by(kind: bool) -> str:
    """The claim columns whose change moves (or re-kinds) its ordered rows."""
    return "document_id, span_start, span_end" + (", kind" if kind else "")


def _sqlite_triggers(kind: bool) -> list[str]:
    statements = []
    for table, (link, _) in ORDERED.items():
        statements += [
            f"DROP TRIGGER {table}_ai",
            f"DROP TRIGGER {table}_au",
            f"DROP TRIGGER {table}_move",
            f"CREATE TRIGGER {table}_ai AFTER INSERT ON {link} BEGIN {_add(table, 'new', kind)} END",
            f"CREATE TRIGGER {table}_au AFTER UPDATE ON {link} "
            f"BEGIN {_remove(table, 'old')} {_add(table, 'new', kind)} END",
            f"CREATE TRIGGER {table}_move AFTER UPDATE OF {_moved_by(kind)} ON claim "
            f"BEGIN {_move(table, 'new', kind)} END",
        ]
    return statements


def _postgres_triggers(kind: bool) -> list[str]:
    statements = []
    for table, _ in ORDERED.items():
        statements += [
            f"""CREATE OR REPLACE FUNCTION {table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {_remove(table, "OLD")} END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add(table, "NEW", kind)} END IF;
                RETURN NULL;
            END $$""",
            f"""CREATE OR REPLACE FUNCTION {table}_move() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_move(table, "NEW", kind)}
                RETURN NULL;
            END $$""",
            f"DROP TRIGGER {table}_move ON claim",
            f"CREATE TRIGGER {table}_move AFTER UPDATE OF {_moved_by(kind)} ON claim "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_move()",
        ]
    return statements


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ORDERED:
        # Not in a batch (it would copy the table and drop its triggers): a plain ADD COLUMN.
        op.add_column(table, sa.Column("kind", sa.String(length=20), nullable=True))
        op.execute(
            f"UPDATE {table} SET kind = (SELECT c.kind FROM claim c WHERE c.id = {table}.claim_id)"  # noqa: S608
        )
    for statement in _sqlite_triggers(kind=True) if sqlite else _postgres_triggers(kind=True):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers(kind=False) if sqlite else _postgres_triggers(kind=False):
        op.execute(statement)
    for table in ORDERED:
        op.drop_column(table, "kind")
