"""The full-text search index: one row per searchable claim, entity or theme.

The engines index `title_terms` and `body_terms` (already analysed by app.services.search.analyzer):
on SQLite through the FTS5 table `search_fts` (external content, kept in sync by triggers), on
PostgreSQL through the generated `tsv` column and its GIN index, which only the migration declares
(no model type stands for a generated tsvector). One-word searches read `search_posting`, `search_term`
and `search_tally` (app.services.search.postings) on both engines, derived from the entries by triggers
(migrations 0007 on SQLite, 0020 on PostgreSQL).
"""

from sqlalchemy import REAL, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import DERIVED, SQLITE_ONLY, key_text

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


class SearchFts(SQLModel, table=True):
    """SQLite's FTS5 index of the entries' terms (a virtual table, migration 0002): its rowid is the
    entry's id; `MATCH` and `bm25()` take the table's own name as a column."""

    __tablename__ = "search_fts"
    __table_args__ = {"info": SQLITE_ONLY}

    rowid: int = Field(primary_key=True)
    title_terms: str
    body_terms: str


# A term compared byte-wise: only ever looked up by equality, and "C" is PostgreSQL's cheapest comparison.
_TERM = Text().with_variant(Text(collation="C"), "postgresql")


class SearchPosting(SQLModel, table=True):
    """One term of one entry (migrations 0007, 0020): its weighted count there (a title hit counts 2, a body
    hit 1) and the entry's length in terms, keyed so a term's best entries come first."""

    __tablename__ = "search_posting"
    __table_args__ = {"info": DERIVED, "sqlite_with_rowid": False}

    term: str = Field(primary_key=True, sa_type=_TERM)
    weight: float = Field(primary_key=True, sa_type=REAL())
    length: int = Field(primary_key=True)
    entry_id: int = Field(primary_key=True)


class SearchTerm(SQLModel, table=True):
    """How many entries hold a term (migrations 0007, 0020): bm25's document frequency."""

    __tablename__ = "search_term"
    __table_args__ = {"info": DERIVED, "sqlite_with_rowid": False}

    term: str = Field(primary_key=True, sa_type=_TERM)
    entries: int


class SearchTally(SQLModel, table=True):
    """The index's size (migrations 0007, 0020): its one row (id 1, which the table checks) holds how many
    entries there are and how many terms they hold in all, for bm25's average length."""

    __tablename__ = "search_tally"
    __table_args__ = {"info": DERIVED}

    # Declared `INTEGER PRIMARY KEY` (SQLite's rowid) without NOT NULL: SQLite reports it nullable.
    id: int | None = Field(default=None, primary_key=True, nullable=True)
    entries: int
    terms: int
