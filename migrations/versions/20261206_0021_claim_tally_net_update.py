"""Claim tallies on PostgreSQL: an UPDATE of claims writes only the tallies it changes.

Hand-written. PostgreSQL's statement trigger cannot name columns (transition tables rule it out), so
migration 0004's `claim_tally_sync` took every updated claim off its tallies and put it back on: an edit
of a claim's statement wrote the tallies of all claims, its kind and its document (three rows every
writer updates), for no change. The UPDATE now sums each tally's change over the old and new rows and
writes only those that moved (a changed kind or document). SQLite's triggers already fire only on an
update of those columns. Inserts and deletes are as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

# Every statement here is built from this file's constants, none from input.
# ruff: noqa: S608

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of migration 0004's SOURCES["claim"]: the (dimension, value) pairs a claim counts towards.
CLAIM_SOURCES = (
    "SELECT 'claim' AS dimension, '' AS value FROM {t} UNION ALL SELECT 'kind', kind FROM {t} "
    "UNION ALL SELECT 'document', document_id FROM {t}"
)


def _add(rows: str, sign: str) -> str:
    """Migration 0004's upsert: `rows` counted with `sign` (ORDER BY: writers lock rows in one order)."""
    return (
        "INSERT INTO claim_tally (dimension, value, claims) "
        f"SELECT dimension, value, {sign}count(*) FROM ({CLAIM_SOURCES.format(t=rows)}) AS counted "
        "GROUP BY dimension, value ORDER BY dimension, value "
        "ON CONFLICT (dimension, value) DO UPDATE SET claims = claim_tally.claims + EXCLUDED.claims;"
    )


NET = (
    "INSERT INTO claim_tally (dimension, value, claims) "
    "SELECT dimension, value, sum(delta) FROM ("
    f"SELECT dimension, value, -1 AS delta FROM ({CLAIM_SOURCES.format(t='old_rows')}) AS was "
    f"UNION ALL SELECT dimension, value, 1 FROM ({CLAIM_SOURCES.format(t='new_rows')}) AS now"
    ") AS moved GROUP BY dimension, value HAVING sum(delta) <> 0 ORDER BY dimension, value "
    "ON CONFLICT (dimension, value) DO UPDATE SET claims = claim_tally.claims + EXCLUDED.claims;"
)


def _function(update: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION claim_tally_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN {_add("old_rows", "-")} END IF;
            IF TG_OP = 'INSERT' THEN {_add("new_rows", "")} END IF;
            IF TG_OP = 'UPDATE' THEN {update} END IF;
            RETURN NULL;
        END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(NET))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(_add("old_rows", "-") + _add("new_rows", "")))
