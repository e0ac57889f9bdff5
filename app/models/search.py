"""The full-text search index: one row per searchable claim, entity or theme.

The engines index `title_terms` and `body_terms` (already analysed by app.services.search.analyzer):
on SQLite through the FTS5 table `search_fts` (external content, kept in sync by triggers), on
PostgreSQL through the generated `tsv` column and its GIN index. Those engine-specific objects live
only in the migration, not in these models.
"""

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import key_text

SEARCH_KINDS = ("claim", "entity", "theme")


class SearchEntry(SQLModel, table=True):
    """A searchable item: its original text (for snippets) and its analysed terms (for matching)."""

    __tablename__ = "search_entry"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint("kind IN ('claim', 'entity', 'theme')", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    key: str = Field(sa_type=key_text(100))
    title: str
    body: str
    title_terms: str
    body_terms: str
