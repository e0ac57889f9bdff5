"""Claims by theme and by entity, in document order: one row per link, keyed by the linked value and
then the claim's order key.

Hand-written. `claim_by_theme` and `claim_by_entity` hold each claim's order key (document, span start,
span end, id) under every theme (entity) it is linked to, so a page of a list filtered by one theme or one
entity is a range read of a primary key, from the start or from a cursor alike, as claim_pair (0006)
made it for one theme and one entity. Without them the page walked the order index probing every
claim's link on the way: 100 µs of SQLite at 100,000 claims for the benchmark's theme (23% of the
claims), against 20 µs for the range, and a sparse value's matches were read and sorted whole.

Derived state, kept by row triggers on both engines whatever path writes: a new link adds its row, a
removed link (cascades included: a claim, theme or entity deleted) removes it, and a claim moved in its
document moves its keys. Like claim_pair, the tables live only in the migrations
(app.services.migrations.include_object).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_KEY = ("document_id", "span_start", "span_end", "claim_id")
# Each ordered table: the link table it mirrors and that table's key column.
ORDERED = {
    "claim_by_theme": ("claim_theme", "theme_id"),
    "claim_by_entity": ("claim_entity", "entity_id"),
}


def _add(table: str, row: str) -> str:
    """The ordered row of link row `row`: its value with its claim's order key."""
    _, key = ORDERED[table]
    # Built from this file's constants only (no input): S608 does not apply.
    return (
        f"INSERT INTO {table} ({key}, document_id, span_start, span_end, claim_id) "  # noqa: S608
        f"SELECT {row}.{key}, c.document_id, c.span_start, c.span_end, c.id FROM claim c "
        f"WHERE c.id = {row}.claim_id;"
    )


def _remove(table: str, row: str) -> str:
    _, key = ORDERED[table]
    return f"DELETE FROM {table} WHERE claim_id = {row}.claim_id AND {key} = {row}.{key};"  # noqa: S608


def _move(table: str, row: str) -> str:
    return (
        f"UPDATE {table} SET document_id = {row}.document_id, span_start = {row}.span_start, "  # noqa: S608
        f"span_end = {row}.span_end WHERE claim_id = {row}.id;"
    )


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, (link, _) in ORDERED.items():
        statements += [
            f"CREATE TRIGGER {table}_ai AFTER INSERT ON {link} BEGIN {_add(table, 'new')} END",
            f"CREATE TRIGGER {table}_ad AFTER DELETE ON {link} BEGIN {_remove(table, 'old')} END",
            f"CREATE TRIGGER {table}_au AFTER UPDATE ON {link} "
            f"BEGIN {_remove(table, 'old')} {_add(table, 'new')} END",
            f"CREATE TRIGGER {table}_move AFTER UPDATE OF document_id, span_start, span_end ON claim "
            f"BEGIN {_move(table, 'new')} END",
        ]
    return statements


def _postgres_triggers() -> list[str]:
    statements = []
    for table, (link, _) in ORDERED.items():
        statements += [
            f"""CREATE FUNCTION {table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {_remove(table, "OLD")} END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add(table, "NEW")} END IF;
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER {table}_sync AFTER INSERT OR UPDATE OR DELETE ON {link} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_sync()",
            f"""CREATE FUNCTION {table}_move() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_move(table, "NEW")}
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER {table}_move AFTER UPDATE OF document_id, span_start, span_end ON claim "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_move()",
        ]
    return statements


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, (link, key) in ORDERED.items():
        op.create_table(
            table,
            sa.Column(key, sa.Integer(), nullable=False),
            sa.Column("document_id", sa.String(length=100), nullable=False),
            sa.Column("span_start", sa.Integer(), nullable=False),
            sa.Column("span_end", sa.Integer(), nullable=False),
            sa.Column("claim_id", sa.String(length=100), nullable=False),
            sa.PrimaryKeyConstraint(key, *ORDER_KEY, name=f"pk_{table}"),
            # The rows live in their primary key's order: a page is one range of it.
            sqlite_with_rowid=False,
        )
        # Removing a link (or a claim's links, by cascade) and moving a claim find its rows by claim.
        op.create_index(f"ix_{table}_claim_id", table, ["claim_id"])
        # The links earlier revisions already hold.
        op.execute(
            f"INSERT INTO {table} ({key}, document_id, span_start, span_end, claim_id) "  # noqa: S608
            f"SELECT l.{key}, c.document_id, c.span_start, c.span_end, c.id "
            f"FROM {link} l JOIN claim c ON c.id = l.claim_id"
        )
    for statement in _sqlite_triggers() if sqlite else _postgres_triggers():
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, (link, _) in ORDERED.items():
        if sqlite:
            for suffix in ("ai", "ad", "au", "move"):
                op.execute(f"DROP TRIGGER {table}_{suffix}")
        else:
            op.execute(f"DROP TRIGGER {table}_sync ON {link}")
            op.execute(f"DROP FUNCTION {table}_sync()")
            op.execute(f"DROP TRIGGER {table}_move ON claim")
            op.execute(f"DROP FUNCTION {table}_move()")
        op.drop_index(f"ix_{table}_claim_id", table_name=table)
        op.drop_table(table)
