"""The source documents: held (their text stored and quoted) or cited (only their citation)."""

from datetime import date

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from app.models.base import key_text


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
