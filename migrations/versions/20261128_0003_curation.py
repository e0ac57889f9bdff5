"""Curation: API keys, a revision on every editable resource, and the change log.

Hand-written. The revision columns are added in place (ALTER TABLE … ADD COLUMN with a default), not
in batch mode: on SQLite a batch rebuild of `claim` would cascade-delete its links and notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVISED_TABLES = ("document", "theme", "entity", "claim", "context_note")


def key_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Byte-wise ordered text on every engine (frozen copy of app.models.base.key_text)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    for table in REVISED_TABLES:
        op.add_column(table, sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("prefix", key_text(16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'write', 'admin')", name=op.f("ck_api_key_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
    )
    op.create_index(op.f("ix_api_key_prefix"), "api_key", ["prefix"])
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("key_name", sa.String(length=100), nullable=False),
        sa.Column("resource_type", sa.String(length=10), nullable=False),
        sa.Column("resource_id", key_text(100), nullable=False),
        sa.Column("claim_id", key_text(100), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "resource_type IN ('claim', 'theme', 'entity', 'document', 'note')",
            name=op.f("ck_change_resource_type"),
        ),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name=op.f("ck_change_action")),
        sa.ForeignKeyConstraint(["key_id"], ["api_key.id"], name=op.f("fk_change_key_id_api_key")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index(op.f("ix_change_at"), "change", ["at"])
    op.create_index(
        "ix_change_resource_type_resource_id_id", "change", ["resource_type", "resource_id", "id"]
    )
    op.create_index("ix_change_claim_id_id", "change", ["claim_id", "id"])


def downgrade() -> None:
    op.drop_table("change")
    op.drop_table("api_key")
    for table in REVISED_TABLES:
        # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): no batch rebuild, for the reason above.
        op.execute(f"ALTER TABLE {table} DROP COLUMN revision")
