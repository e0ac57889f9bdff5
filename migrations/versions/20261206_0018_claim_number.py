"""Claim numbers: per id prefix, the highest number a claim id of that prefix ever had.

Hand-written. A new claim's id is its document's prefix and the next number (`pkit-069`); reading every
id of the prefix, and the change log's, to find the highest grew with the corpus. `claim_number` holds
it instead: filled here from the claim ids and the change log's claim ids (a deleted claim's id is never
given again), moved on by the write that takes a number, and past any id a claim is inserted with by a
trigger (row trigger on SQLite; statement trigger with a transition table on PostgreSQL), whatever path
inserts. `width` is the longest number's digit count, so new ids keep the zero-padding.

An id is numbered when it ends in `-` and at most 18 digits after a non-empty prefix: rtrim strips the
digits, the same on both engines.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A claim id's prefix: byte-wise ordered text on every engine, as app.models.base.key_text makes it.
PREFIX_TYPE = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")


def _parts(ids: str) -> str:
    """SELECT prefix, number, width FROM `ids` (a relation with the column id), its numbered ids only."""
    head = "rtrim(id, '0123456789')"
    # Built from this file's constants only (no input): S608 does not apply.
    return (
        f"SELECT substr(p, 1, length(p) - 1) AS prefix, "  # noqa: S608
        "CAST(substr(id, length(p) + 1) AS BIGINT) AS number, length(id) - length(p) AS width "
        f"FROM (SELECT id, {head} AS p FROM {ids}) AS split "
        "WHERE length(p) > 1 AND substr(p, length(p), 1) = '-' AND length(id) - length(p) BETWEEN 1 AND 18"
    )


# Built from this file's constants only (no input): S608 does not apply.
FILL = (
    "INSERT INTO claim_number (prefix, last_number, width) "  # noqa: S608
    "SELECT prefix, max(number), max(width) FROM ("
    + _parts(
        "(SELECT id FROM claim UNION ALL SELECT resource_id FROM \"change\" WHERE resource_type = 'claim')"
        " AS ids"
    )
    + ") AS numbered GROUP BY prefix"
)
ON_CONFLICT = (
    "ON CONFLICT (prefix) DO UPDATE SET last_number = {greatest}(claim_number.last_number, "
    "excluded.last_number), width = {greatest}(claim_number.width, excluded.width) "
    "WHERE claim_number.last_number < excluded.last_number OR claim_number.width < excluded.width"
)


def upgrade() -> None:
    key = sa.PrimaryKeyConstraint("prefix", name=op.f("pk_claim_number"))
    numbers = [
        sa.Column("last_number", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
    ]
    op.create_table("claim_number", sa.Column("prefix", PREFIX_TYPE, nullable=False), *numbers, key)
    op.execute(FILL)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER claim_number_ai AFTER INSERT ON claim BEGIN "
            "INSERT INTO claim_number (prefix, last_number, width) "
            f"{_parts('(SELECT new.id AS id)')} "
            f"{ON_CONFLICT.format(greatest='max')}; END"
        )
        return
    op.execute(
        "CREATE FUNCTION claim_number_ai() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
        "INSERT INTO claim_number (prefix, last_number, width) "
        f"SELECT prefix, max(number), max(width) FROM ({_parts('new_rows')}) AS numbered GROUP BY prefix "
        f"{ON_CONFLICT.format(greatest='greatest')}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER claim_number_ai AFTER INSERT ON claim REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION claim_number_ai()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER claim_number_ai")
    else:
        op.execute("DROP TRIGGER claim_number_ai ON claim")
        op.execute("DROP FUNCTION claim_number_ai()")
    op.drop_table("claim_number")
