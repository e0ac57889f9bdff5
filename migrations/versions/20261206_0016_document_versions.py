"""Document versions: a held document's text can be replaced, its old versions kept; claims name the
version their span points into, and whether a new version orphaned them.

Hand-written. Every held document's current text becomes its version 1 (when it was recorded is unknown:
`created_at` NULL), and every quoted claim is anchored in it; paraphrases (claims of cited documents)
have no anchor.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def key_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Byte-wise ordered text on every engine (frozen copy of app.models.base.key_text)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "document_version",
        sa.Column("document_id", key_text(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_document_version_version")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_version_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "version", name=op.f("pk_document_version")),
    )
    op.add_column("claim", sa.Column("anchor_version", sa.Integer(), nullable=True))
    op.add_column("claim", sa.Column("orphaned", sa.Boolean(), server_default=sa.false(), nullable=False))
    document = sa.table(
        "document", sa.column("id"), sa.column("text"), sa.column("sha256"), sa.column("revision")
    )
    version = sa.table(
        "document_version",
        sa.column("document_id"),
        sa.column("version"),
        sa.column("text"),
        sa.column("sha256"),
    )
    # When each text was recorded is unknown: created_at stays NULL.
    op.execute(
        sa.insert(version).from_select(
            ["document_id", "version", "text", "sha256"],
            sa.select(document.c.id, sa.literal(1), document.c.text, document.c.sha256).where(
                document.c.text.is_not(None)
            ),
        )
    )
    claim = sa.table("claim", sa.column("quote"), sa.column("anchor_version"))
    op.execute(sa.update(claim).where(claim.c.quote.is_not(None)).values(anchor_version=1))


def downgrade() -> None:
    op.drop_column("claim", "orphaned")
    op.drop_column("claim", "anchor_version")
    op.drop_table("document_version")
