"""Claims by theme and entity, in document order: one row per (theme, entity) pair a claim has.

Hand-written. `claim_pair` holds each claim's order key (document, span start, span end, id) under every
(theme, entity) pair its links form, keyed in that order, so a page of a list filtered by one theme and
one entity is a range read of its primary key: from the start or from a cursor alike. Without it the page
walked the order index probing both links of every claim on the way (2.1 ms of SQLite at 100,000 claims
for the benchmark's pair, against 0.05 ms for a page of one theme). Its counts are the pair tallies (0005).

Derived state, kept by row triggers on both engines whatever path writes: a new link adds the pairs it
forms with the claim's links of the other kind; a removed link (cascades included: a claim, theme or
entity deleted) removes its own pairs by claim; a claim moved in its document moves its keys. Like
claim_tally, the table lives only in the migrations (app.services.migrations.include_object).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_KEY = ("document_id", "span_start", "span_end", "claim_id")
# For each link table: its own key column, the other link table and that one's key column.
LINKS = {
    "claim_theme": ("theme_id", "claim_entity", "entity_id"),
    "claim_entity": ("entity_id", "claim_theme", "theme_id"),
}


def _add(table: str, row: str) -> str:
    """The pairs a link row forms with its claim's links of the other kind, with the claim's order key."""
    own, other, other_key = LINKS[table]
    theme, entity = (f"{row}.{own}", f"o.{other_key}")
    if own == "entity_id":
        theme, entity = entity, theme
    # Built from this file's constants only (no input): S608 does not apply.
    return (
        "INSERT INTO claim_pair (theme_id, entity_id, document_id, span_start, span_end, claim_id) "  # noqa: S608
        f"SELECT {theme}, {entity}, c.document_id, c.span_start, c.span_end, c.id "
        f"FROM {other} o JOIN claim c ON c.id = o.claim_id WHERE o.claim_id = {row}.claim_id;"
    )


def _remove(table: str, row: str) -> str:
    own = LINKS[table][0]
    return f"DELETE FROM claim_pair WHERE claim_id = {row}.claim_id AND {own} = {row}.{own};"  # noqa: S608


MOVE = (
    "UPDATE claim_pair SET document_id = {r}.document_id, span_start = {r}.span_start, "
    "span_end = {r}.span_end WHERE claim_id = {r}.id;"
)


def _sqlite_triggers() -> list[str]:
    statements = []
    for table in LINKS:
        statements += [
            f"CREATE TRIGGER {table}_pair_rows_ai AFTER INSERT ON {table} BEGIN {_add(table, 'new')} END",
            f"CREATE TRIGGER {table}_pair_rows_ad AFTER DELETE ON {table} BEGIN {_remove(table, 'old')} END",
            f"CREATE TRIGGER {table}_pair_rows_au AFTER UPDATE ON {table} "
            f"BEGIN {_remove(table, 'old')} {_add(table, 'new')} END",
        ]
    statements.append(
        "CREATE TRIGGER claim_pair_rows_au AFTER UPDATE OF document_id, span_start, span_end ON claim "
        f"BEGIN {MOVE.format(r='new')} END"
    )
    return statements


def _postgres_triggers() -> list[str]:
    statements = []
    for table in LINKS:
        function = f"{table}_pair_rows_sync"
        statements += [
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {_remove(table, "OLD")} END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add(table, "NEW")} END IF;
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER {table}_pair_rows AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    statements += [
        f"""CREATE FUNCTION claim_pair_rows_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {MOVE.format(r="NEW")}
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER claim_pair_rows_au AFTER UPDATE OF document_id, span_start, span_end ON claim "
        "FOR EACH ROW EXECUTE FUNCTION claim_pair_rows_move()",
    ]
    return statements


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "claim_pair",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("theme_id", "entity_id", *ORDER_KEY, name="pk_claim_pair"),
        # The rows live in their primary key's order: a page is one range of it.
        sqlite_with_rowid=False,
    )
    # Removing a link (or a claim's links, by cascade) finds its pairs by claim.
    op.create_index("ix_claim_pair_claim_id", "claim_pair", ["claim_id"])
    for statement in _sqlite_triggers() if sqlite else _postgres_triggers():
        op.execute(statement)
    # The pairs earlier revisions already hold.
    op.execute(
        "INSERT INTO claim_pair (theme_id, entity_id, document_id, span_start, span_end, claim_id) "
        "SELECT t.theme_id, e.entity_id, c.document_id, c.span_start, c.span_end, c.id "
        "FROM claim_theme t JOIN claim_entity e ON e.claim_id = t.claim_id JOIN claim c ON c.id = t.claim_id"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in LINKS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {table}_pair_rows_{suffix}")
        op.execute("DROP TRIGGER claim_pair_rows_au")
    else:
        for table in LINKS:
            op.execute(f"DROP TRIGGER {table}_pair_rows ON {table}")
            op.execute(f"DROP FUNCTION {table}_pair_rows_sync()")
        op.execute("DROP TRIGGER claim_pair_rows_au ON claim")
        op.execute("DROP FUNCTION claim_pair_rows_move()")
    op.drop_index("ix_claim_pair_claim_id", table_name="claim_pair")
    op.drop_table("claim_pair")
