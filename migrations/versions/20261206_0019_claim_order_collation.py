"""Claims in order, collated as the claims are: the derived tables' ids compare byte-wise on PostgreSQL.

Hand-written. claim_pair, claim_by_theme and claim_by_entity (migrations 0006 and 0008) were created
with the server's default collation for document_id and claim_id, where every other id column is "C"
(app.models.base.key_text). Their row triggers find a claim's rows by `claim_id = OLD.claim_id`: a "C"
value against a default-collation column, which the claim_id index cannot serve, so each link removed
read the whole table. The columns become "C" (each table rewritten once, its indexes rebuilt), so the
index serves the triggers and the tables' key order is the claims' own on any server. SQLite has one
byte-wise collation: nothing changes there.

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


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("claim_pair", "claim_by_theme", "claim_by_entity"):
        columns = ", ".join(
            f'ALTER COLUMN {column} TYPE VARCHAR(100) COLLATE "{collation}"'
            for column in ("document_id", "claim_id")
        )
        op.execute(f"ALTER TABLE {table} {columns}")


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
