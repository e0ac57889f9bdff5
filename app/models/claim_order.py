"""Claims in document order under each (theme, entity) pair, each theme and each entity of theirs.

Derived state: row triggers on the links and on claim keep it whatever writes (migrations 0006, 0008 and
0010); the app only reads it. Each row is a claim's order key (document, span start, span end, id) under
one value, keyed by the value and then the order key, so a page of the claims of one value is a range of
the primary key. The rows live in that order (no rowid on SQLite); the index on claim_id is how the
triggers find a claim's rows (its ids are collated as the claims' are: migration 0019).
"""

from sqlmodel import Field, SQLModel

from app.models.base import DERIVED, key_text

_ROWS_IN_KEY_ORDER = {"sqlite_with_rowid": False, "info": DERIVED}


class ClaimPair(SQLModel, table=True):
    """A claim's order key under one (theme, entity) pair of its links."""

    __tablename__ = "claim_pair"
    __table_args__ = _ROWS_IN_KEY_ORDER

    theme_id: int = Field(primary_key=True)
    entity_id: int = Field(primary_key=True)
    document_id: str = Field(primary_key=True, sa_type=key_text(100))
    span_start: int = Field(primary_key=True)
    span_end: int = Field(primary_key=True)
    claim_id: str = Field(primary_key=True, index=True, sa_type=key_text(100))


class ClaimByTheme(SQLModel, table=True):
    """A claim's order key and kind under one of its themes."""

    __tablename__ = "claim_by_theme"
    __table_args__ = _ROWS_IN_KEY_ORDER

    theme_id: int = Field(primary_key=True)
    document_id: str = Field(primary_key=True, sa_type=key_text(100))
    span_start: int = Field(primary_key=True)
    span_end: int = Field(primary_key=True)
    claim_id: str = Field(primary_key=True, index=True, sa_type=key_text(100))
    # Added by migration 0010 to rows that existed, hence nullable; the triggers always set it.
    kind: str | None = Field(default=None, max_length=20)


class ClaimByEntity(SQLModel, table=True):
    """A claim's order key and kind under one of its entities."""

    __tablename__ = "claim_by_entity"
    __table_args__ = _ROWS_IN_KEY_ORDER

    entity_id: int = Field(primary_key=True)
    document_id: str = Field(primary_key=True, sa_type=key_text(100))
    span_start: int = Field(primary_key=True)
    span_end: int = Field(primary_key=True)
    claim_id: str = Field(primary_key=True, index=True, sa_type=key_text(100))
    # Added by migration 0010 to rows that existed, hence nullable; the triggers always set it.
    kind: str | None = Field(default=None, max_length=20)
