"""Claims, their links to themes and entities, and the context other sources add."""

from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from app.models.base import key_text

ClaimKind = Literal["fact", "opinion", "prediction", "recommendation"]
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)


# A quoted claim's span is a non-empty range of its document's text; a paraphrase has the empty order
# span (0, 0) instead (see `Claim`).
SPAN_RULE = (
    "(quote IS NOT NULL AND span_start >= 0 AND span_end > span_start) "
    "OR (quote IS NULL AND span_start = 0 AND span_end = 0)"
)


class Claim(SQLModel, table=True):
    """One checkable proposition, and what it rests on: a quote, or our paraphrase of a cited source.

    A *quoted* claim (`basis` "quote" in the API) carries the verbatim `quote` of a held document and
    its span, `text[span_start:span_end]`. A *paraphrase* (the claim of a cited document, whose text we
    do not hold) has a NULL `quote` and no span: its `span_start` and `span_end` are both 0, which the
    check allows only with a NULL quote and which the API never shows as a span (it answers `span:
    null`).

    The order key is (document_id, span_start, span_end, id), in the claim's indexes and in the derived
    tables of claims in order (app/models/claim_order.py): it never holds a NULL, so both engines sort
    it the same. A held document's claims follow their place in its text; a cited document's claims,
    all at (0, 0), follow their id. The two never mix within a document: a claim has a quote exactly
    when its document holds text (the writes and the seed loader check it).
    """

    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(CLAIM_KINDS) + "')", name="kind"),
        CheckConstraint(SPAN_RULE, name="span"),
        # The default order and the keyset cursor walk this index.
        Index("ix_claim_document_order", "document_id", "span_start", "span_end", "id"),
        Index("ix_claim_kind", "kind", "document_id", "span_start", "span_end", "id"),
        # `as_of` and the date sort (app/services/claim_filters.py).
        Index("ix_claim_valid_from_last", "valid_from_last", "valid_to_first"),
    )

    id: str = Field(primary_key=True, sa_type=key_text(100))
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", sa_type=key_text(100))
    statement: str
    # NULL for a paraphrase (the claim of a cited document).
    quote: str | None = None
    span_start: int
    span_end: int
    kind: str = Field(max_length=20)
    # The document version the span points into (document_version.version); NULL for a paraphrase.
    anchor_version: int | None = None
    # True when a new version of the text did not hold the quote with its context exactly once, so the
    # span still points into `anchor_version`, an older version (app/services/anchoring.py).
    orphaned: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # When it holds, as its text or source states it (PartialDate text; NULL: not stated), and the
    # periods' conservative ends the `as_of` filter compares (YYYY-MM-DD): the latest day `valid_from`
    # may mean and the earliest day `valid_to` may mean (app/schemas/measures.py).
    valid_from: str | None = Field(default=None, sa_type=key_text(10))
    valid_to: str | None = Field(default=None, sa_type=key_text(10))
    valid_from_last: str | None = Field(default=None, sa_type=key_text(10))
    valid_to_first: str | None = Field(default=None, sa_type=key_text(10))
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


class ClaimQuantity(SQLModel, table=True):
    """A figure a claim states (app/schemas/measures.py): its whole amount in one unit, and where in the
    quote (or a paraphrase's statement) it is stated."""

    __tablename__ = "claim_quantity"
    __table_args__ = (
        # The quantity filters: one unit, an amount range.
        Index("ix_claim_quantity_unit_amount", "unit", "amount", "claim_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", ondelete="CASCADE", index=True, sa_type=key_text(100))
    position: int
    amount: float
    unit: str = Field(max_length=20)
    scale: str | None = Field(default=None, max_length=20)
    period: str | None = Field(default=None, max_length=20)
    lower: float | None = None
    upper: float | None = None
    approximate: bool = False
    span_start: int
    span_end: int
    text: str = Field(max_length=200)
