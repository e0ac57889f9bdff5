"""Initial schema: documents, themes, entities with aliases, claims with links and context notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def key_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Byte-wise ordered text on every engine (frozen copy of app.models.base.key_text)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", key_text(100), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("publisher", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("retrieved_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", key_text(100), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("slug", name=op.f("uq_theme_slug")),
    )
    op.create_table(
        "entity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", key_text(100), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", key_text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("external_ids", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "type IN ('company', 'country', 'government', 'group', 'industry', 'facility')",
            name=op.f("ck_entity_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
        sa.UniqueConstraint("slug", name=op.f("uq_entity_slug")),
        sa.UniqueConstraint("name_key", name=op.f("uq_entity_name_key")),
    )
    op.create_index(op.f("ix_entity_type"), "entity", ["type"])
    op.create_table(
        "entity_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("alias_key", key_text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_entity_alias_entity_id_entity"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_alias")),
        sa.UniqueConstraint("alias_key", name=op.f("uq_entity_alias_alias_key")),
    )
    op.create_index(op.f("ix_entity_alias_entity_id"), "entity_alias", ["entity_id"])
    op.create_table(
        "claim",
        sa.Column("id", key_text(100), nullable=False),
        sa.Column("document_id", key_text(100), nullable=False),
        sa.Column("statement", sa.String(), nullable=False),
        sa.Column("quote", sa.String(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fact', 'opinion', 'prediction', 'recommendation')", name=op.f("ck_claim_kind")
        ),
        sa.CheckConstraint("span_start >= 0 AND span_end > span_start", name=op.f("ck_claim_span")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_claim_document_id_document"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    op.create_index("ix_claim_document_order", "claim", ["document_id", "span_start", "span_end", "id"])
    op.create_index("ix_claim_kind", "claim", ["kind", "document_id", "span_start", "span_end", "id"])
    op.create_table(
        "claim_theme",
        sa.Column("claim_id", key_text(100), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_theme_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_claim_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "theme_id", name=op.f("pk_claim_theme")),
    )
    op.create_index("ix_claim_theme_theme_id_claim_id", "claim_theme", ["theme_id", "claim_id"])
    op.create_table(
        "claim_entity",
        sa.Column("claim_id", key_text(100), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_entity_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_claim_entity_entity_id_entity"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "entity_id", name=op.f("pk_claim_entity")),
    )
    op.create_index("ix_claim_entity_entity_id_claim_id", "claim_entity", ["entity_id", "claim_id"])
    op.create_table(
        "context_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", key_text(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_context_note_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_note")),
    )
    op.create_index(op.f("ix_context_note_claim_id"), "context_note", ["claim_id"])


def downgrade() -> None:
    op.drop_table("context_note")
    op.drop_table("claim_entity")
    op.drop_table("claim_theme")
    op.drop_table("claim")
    op.drop_table("entity_alias")
    op.drop_table("entity")
    op.drop_table("theme")
    op.drop_table("document")
