"""Themes: the ideas a source's claims are grouped by."""

from sqlmodel import Field, SQLModel

from app.models.base import key_text


class Theme(SQLModel, table=True):
    """A theme, ordered by `position` (the order the source introduces it)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, sa_type=key_text(100))
    name: str
    description: str
    position: int
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
