"""Full-text search index: search_entry, with FTS5 on SQLite and a tsvector + GIN index on PostgreSQL.

Hand-written: autogenerate knows neither FTS5 virtual tables nor generated tsvector columns.
On SQLite, triggers keep search_fts in step with search_entry; a later batch-mode migration of
search_entry drops them and must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import snowballstemmer
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def key_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Byte-wise ordered text on every engine (frozen copy of app.models.base.key_text)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


SQLITE_FTS = [
    # Terms are analysed in Python; unicode61 only splits them on spaces (no stemming here).
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, content='search_entry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
]
POSTGRES_FTS = [
    """ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_terms), 'B')
    ) STORED""",
    "CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)",
]


# Frozen copy of the text analysis (app.services.search.analyzer) and the index's entries
# (app.services.search.index.rebuild) as they stood for this revision: a migration imports nothing of the app.
_WORD = re.compile(r"[^\W_]+(?:['\u2019\u2018\u02bc][^\W_]+)*")
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc]")
_MAX_TERM_LENGTH = 64
_STEMMER: Any = snowballstemmer.stemmer("english")


def _term(word: str) -> str:
    """A word folded (case, diacritics, width, apostrophes) then stemmed; "" when not letters and digits."""
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = _APOSTROPHES.sub("", bare).casefold()
    return str(_STEMMER.stemWord(folded))[:_MAX_TERM_LENGTH] if folded.isalnum() else ""


def _terms(text: str) -> str:
    """The analysed terms of `text`, space-separated."""
    return " ".join(found for match in _WORD.finditer(text) if (found := _term(match.group())))


def _entries(connection: sa.Connection) -> Iterator[dict[str, Any]]:
    """Every claim's, entity's and theme's search entry, from revision 0001's tables."""
    rows: list[tuple[str, str, str, str]] = [
        ("claim", key, statement, quote)
        for key, statement, quote in connection.execute(sa.text("SELECT id, statement, quote FROM claim"))
    ]
    aliases: defaultdict[int, list[str]] = defaultdict(list)
    for entity_id, alias in connection.execute(
        sa.text("SELECT entity_id, alias FROM entity_alias ORDER BY position")
    ):
        aliases[entity_id].append(alias)
    rows += [
        # Aliases are searchable names: they go with the name.
        ("entity", slug, " · ".join([name, *aliases[entity_id]]), description)
        for entity_id, slug, name, description in connection.execute(
            sa.text("SELECT id, slug, name, description FROM entity")
        )
    ]
    themes = connection.execute(sa.text("SELECT slug, name, description FROM theme"))
    rows += [("theme", slug, name, description) for slug, name, description in themes]
    for kind, key, title, body in rows:
        yield {
            "kind": kind,
            "key": key,
            "title": title,
            "body": body,
            "title_terms": _terms(title),
            "body_terms": _terms(body),
        }


def _index(connection: sa.Connection) -> None:
    entries = list(_entries(connection))
    if entries:
        columns = ("kind", "key", "title", "body", "title_terms", "body_terms")
        table = sa.table("search_entry", *(sa.column(name) for name in columns))
        connection.execute(sa.insert(table), entries)


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", key_text(100), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("title_terms", sa.String(), nullable=False),
        sa.Column("body_terms", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('claim', 'entity', 'theme')", name=op.f("ck_search_entry_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_search_entry_kind_key")),
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)
    # Index what earlier revisions already hold (nothing on a new database).
    _index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_entry")
