"""Claims, their links to themes and entities, and the context other sources add."""

from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import key_text

ClaimKind = Literal["fact", "opinion", "prediction", "recommendation"]
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)


class Claim(SQLModel, table=True):
    """One checkable proposition with the verbatim quote it rests on: text[span_start:span_end]."""

    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(CLAIM_KINDS) + "')", name="kind"),
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span"),
        # The default order and the keyset cursor walk this index.
        Index("ix_claim_document_order", "document_id", "span_start", "span_end", "id"),
        Index("ix_claim_kind", "kind", "document_id", "span_start", "span_end", "id"),
    )

    id: str = Field(primary_key=True, sa_type=key_text(100))
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", sa_type=key_text(100))
    statement: str
    quote: str
    span_start: int
    span_end: int
    kind: str = Field(max_length=20)
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class ClaimTheme(SQLModel, table=True):
    """Link: a claim concerns a theme."""

    __tablename__ = "claim_theme"
    __table_args__ = (Index("ix_claim_theme_theme_id_claim_id", "theme_id", "claim_id"),)

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", sa_type=key_text(100))
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class ClaimEntity(SQLModel, table=True):
    """Link: a claim names or refers to an entity."""

    __tablename__ = "claim_entity"
    __table_args__ = (Index("ix_claim_entity_entity_id_claim_id", "entity_id", "claim_id"),)

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", sa_type=key_text(100))
    entity_id: int = Field(foreign_key="entity.id", primary_key=True, ondelete="CASCADE")


class ContextNote(SQLModel, table=True):
    """What other sources say that bears on a claim, kept apart from what the document says."""

    __tablename__ = "context_note"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", ondelete="CASCADE", index=True, sa_type=key_text(100))
    position: int
    note: str
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
