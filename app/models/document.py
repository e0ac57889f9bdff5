"""The source documents: held (their text stored and quoted) or cited (only their citation)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from app.models.base import key_text
from app.models.curation import UtcDateTime


class Document(SQLModel, table=True):
    """One published source: *held* (its full text and checksum stored, its claims quote it) or *cited*
    (`text` and `sha256` NULL: we cite it and hold none of its text; its claims paraphrase it).

    `published_date` is as precise as the source list gives it: an ISO date, or "YYYY-MM" or "YYYY".
    """

    __table_args__ = (CheckConstraint("(text IS NULL) = (sha256 IS NULL)", name="held"),)

    id: str = Field(primary_key=True, sa_type=key_text(100))
    title: str
    text: str | None = None
    sha256: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=35)
    publisher: str | None = None
    url: str | None = None
    published_date: str | None = Field(default=None, max_length=10)
    retrieved_date: date | None = None
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class DocumentVersion(SQLModel, table=True):
    """One version of a held document's text: version 1 is the text it was added with, each replacement
    (`POST /v1/documents/{id}/versions`) the next number. The newest is the document's `text`; older ones
    stay readable, and a claim names the version its span points into (`claim.anchor_version`)."""

    __tablename__ = "document_version"
    __table_args__ = (CheckConstraint("version >= 1", name="version"),)

    document_id: str = Field(
        foreign_key="document.id", primary_key=True, ondelete="CASCADE", sa_type=key_text(100)
    )
    version: int = Field(primary_key=True)
    text: str = Field(sa_type=Text())
    sha256: str = Field(max_length=64)
    # When the API recorded it; NULL for a text the seed loaded or that predates versions (unknown).
    created_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # The curator's word on what changed, when given.
    note: str | None = Field(default=None, max_length=300)
