"""Search postings on SQLite: each term's entries, stored so a term's best matches are read first.

Hand-written. FTS5 has no top-k: ranking a one-word search by bm25 scores every entry the word is in
(1.2 ms at 100,000 claims for a word in 1% of them, and ten times that at 1,000,000). For one term,
bm25 depends on an entry only through the term's weighted count in it (title hits count 2, body hits 1,
as `bm25(search_fts, 2.0, 1.0)`) and the entry's length in terms, and falls as the length grows. So
`search_posting`, keyed (term, weight, length, entry), holds each term's entries grouped by weight and
shortest first: the best k of a term are the first k of each of its few weight groups
(app.services.search.postings). What bm25's idf and average length need is kept too: `search_term`,
how many entries hold each term (counting 12,000 postings took 0.6 ms at 1,000,000 claims, and a
million for the commonest word 65 ms), and `search_tally`, how many entries there are and how many
terms they hold in all.

Derived state, kept by row triggers on search_entry whatever path writes (terms are letters and digits
joined by single spaces, so JSON splits them). PostgreSQL ranks with ts_rank_cd on its GIN index and has
neither table. Like search_fts, both live only in the migrations (app.services.migrations.include_object),
and a batch-mode migration of search_entry would drop the triggers and must create them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

# Every statement here is built from this file's constants, none from input.
# ruff: noqa: S608

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of app.services.search.matching.TITLE_WEIGHT and BODY_WEIGHT.
TITLE_WEIGHT, BODY_WEIGHT = "2.0", "1.0"


def _terms(column: str) -> str:
    """The terms of a space-separated column, one row each (an empty column gives one empty term)."""
    return f"""json_each('["' || replace({column}, ' ', '","') || '"]')"""


def _count(column: str) -> str:
    return f"(length({column}) - length(replace({column}, ' ', '')) + ({column} <> ''))"


def _length(row: str) -> str:
    """How many terms an entry holds, as FTS5 counts them (its row size in tokens)."""
    return f"({_count(f'{row}.title_terms')} + {_count(f'{row}.body_terms')})"


def _postings(row: str) -> str:
    """One entry's postings: (term, weight, length, entry_id), for a trigger's `new` or `old` row."""
    return (
        f"SELECT term, sum(weight), {_length(row)}, {row}.id FROM ("
        f"SELECT value AS term, {TITLE_WEIGHT} AS weight FROM {_terms(f'{row}.title_terms')} "
        f"UNION ALL SELECT value, {BODY_WEIGHT} FROM {_terms(f'{row}.body_terms')}"
        ") WHERE term <> '' GROUP BY term"
    )


def _add(row: str) -> str:
    return (
        f"INSERT INTO search_posting (term, weight, length, entry_id) {_postings(row)};"
        # WHERE true: without it, SQLite would read ON CONFLICT as a join's ON.
        f"INSERT INTO search_term (term, entries) SELECT term, 1 FROM ({_postings(row)}) WHERE true "
        "ON CONFLICT (term) DO UPDATE SET entries = entries + 1;"
        f"UPDATE search_tally SET entries = entries + 1, terms = terms + {_length(row)};"
    )


def _remove(row: str) -> str:
    # Each posting by its whole key: a primary-key lookup, not a walk of the term's entries.
    return (
        f"DELETE FROM search_posting WHERE (term, weight, length, entry_id) IN ({_postings(row)});"
        f"UPDATE search_term SET entries = entries - 1 WHERE term IN (SELECT term FROM ({_postings(row)}));"
        f"DELETE FROM search_term WHERE entries = 0 AND term IN (SELECT term FROM ({_postings(row)}));"
        f"UPDATE search_tally SET entries = entries - 1, terms = terms - {_length(row)};"
    )


TRIGGERS = [
    f"CREATE TRIGGER search_entry_postings_ai AFTER INSERT ON search_entry BEGIN {_add('new')} END",
    f"CREATE TRIGGER search_entry_postings_ad AFTER DELETE ON search_entry BEGIN {_remove('old')} END",
    "CREATE TRIGGER search_entry_postings_au AFTER UPDATE OF title_terms, body_terms ON search_entry "
    f"BEGIN {_remove('old')} {_add('new')} END",
]

BACKFILL = [
    # In key order: appending to the B-tree, not inserting all over it (2.2 million rows at 100,000 claims).
    "INSERT INTO search_posting (term, weight, length, entry_id) "
    "SELECT term, sum(weight), length, id FROM ("
    f"SELECT e.id, t.value AS term, {TITLE_WEIGHT} AS weight, {_length('e')} AS length "
    f"FROM search_entry e, {_terms('e.title_terms')} t "
    f"UNION ALL SELECT e.id, t.value, {BODY_WEIGHT}, {_length('e')} "
    f"FROM search_entry e, {_terms('e.body_terms')} t"
    ") WHERE term <> '' GROUP BY id, term ORDER BY term, 2, length, id",
    "INSERT INTO search_term (term, entries) SELECT term, count(*) FROM search_posting GROUP BY term",
    f"INSERT INTO search_tally (id, entries, terms) SELECT 1, count(*), coalesce(sum({_length('e')}), 0) "
    "FROM search_entry e",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        """CREATE TABLE search_posting (
            term TEXT NOT NULL,
            weight REAL NOT NULL,
            length INTEGER NOT NULL,
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (term, weight, length, entry_id)
        ) WITHOUT ROWID"""
    )
    op.execute(
        """CREATE TABLE search_term (
            term TEXT NOT NULL PRIMARY KEY,
            entries INTEGER NOT NULL
        ) WITHOUT ROWID"""
    )
    op.execute(
        """CREATE TABLE search_tally (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            entries INTEGER NOT NULL,
            terms INTEGER NOT NULL
        )"""
    )
    for statement in BACKFILL + TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER search_entry_postings_{suffix}")
    op.execute("DROP TABLE search_tally")
    op.execute("DROP TABLE search_term")
    op.execute("DROP TABLE search_posting")
