"""The source documents whose text the claims quote."""

from datetime import date

from sqlmodel import Field, SQLModel

from app.models.base import key_text


class Document(SQLModel, table=True):
    """One published source, stored with its full text and checksum."""

    id: str = Field(primary_key=True, sa_type=key_text(100))
    title: str
    text: str
    sha256: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=35)
    publisher: str | None = None
    url: str | None = None
    published_date: date | None = None
    retrieved_date: date | None = None
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
