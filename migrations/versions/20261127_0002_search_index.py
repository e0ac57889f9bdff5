"""Full-text search index: search_entry, with FTS5 on SQLite and a tsvector + GIN index on PostgreSQL.

Hand-written: autogenerate knows neither FTS5 virtual tables nor generated tsvector columns.
On SQLite, triggers keep search_fts in step with search_entry; a later batch-mode migration of
search_entry drops them and must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.search.index import rebuild

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
    rebuild(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_entry")
