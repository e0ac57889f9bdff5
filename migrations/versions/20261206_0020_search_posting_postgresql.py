"""Search postings on PostgreSQL too: one-word searches read each term's best entries, as on SQLite.

Hand-written. PostgreSQL ranked a one-word search with ts_rank_cd, which scores every entry the word is in
(detoasting each one's tsvector), and counted them apart: its cost grew with the matches. Migration
0007's tables, `search_posting` (term, weight, length, entry), `search_term` and `search_tally`, are
created here on PostgreSQL with the same columns and keys, so the service reads a term's best k entries
and computes the same bm25 on both engines (app.services.search.postings).

Derived state, kept whatever path writes search_entry: statement triggers with transition tables, so a
many-row INSERT or DELETE derives its postings in one set-based statement, not row by row. The bulk loader
(app.services.bulk_load) disables them while it copies and derives every posting once at the end; a
rebuild of the whole index does the same (app.services.search.postings.derived_after). The existing
entries' postings are derived here.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

# Every statement here is built from this file's constants, none from input.
# ruff: noqa: S608

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = [
    """CREATE TABLE search_posting (
        term TEXT COLLATE "C" NOT NULL,
        weight REAL NOT NULL,
        length INTEGER NOT NULL,
        entry_id INTEGER NOT NULL,
        CONSTRAINT pk_search_posting PRIMARY KEY (term, weight, length, entry_id)
    )""",
    """CREATE TABLE search_term (
        term TEXT COLLATE "C" NOT NULL,
        entries INTEGER NOT NULL,
        CONSTRAINT pk_search_term PRIMARY KEY (term)
    )""",
    """CREATE TABLE search_tally (
        id INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        terms INTEGER NOT NULL,
        CONSTRAINT pk_search_tally PRIMARY KEY (id),
        CONSTRAINT ck_search_tally_one_row CHECK (id = 1)
    )""",
]

# Frozen copies of app.services.search.matching.TITLE_WEIGHT and BODY_WEIGHT, as the column's type.
TITLE_WEIGHT, BODY_WEIGHT = "CAST(2.0 AS REAL)", "CAST(1.0 AS REAL)"


def _length(row: str) -> str:
    """How many terms an entry holds (space-separated; an empty column holds none)."""
    return (
        f"(cardinality(string_to_array({row}.title_terms, ' ')) "
        f"+ cardinality(string_to_array({row}.body_terms, ' ')))"
    )


def postings(rows: str) -> str:
    """SQL: the postings (term, weight, length, entry_id) of every entry in `rows`."""
    return (
        "SELECT t.term, sum(t.weight) AS weight, e.length, e.id AS entry_id "
        f"FROM (SELECT r.id, r.title_terms, r.body_terms, {_length('r')} AS length FROM {rows} r) AS e "
        "CROSS JOIN LATERAL ("
        f"SELECT term, {TITLE_WEIGHT} AS weight FROM unnest(string_to_array(e.title_terms, ' ')) AS term "
        f"UNION ALL SELECT term, {BODY_WEIGHT} FROM unnest(string_to_array(e.body_terms, ' ')) AS term"
        ") AS t GROUP BY e.id, e.length, t.term"
    )


def _add(rows: str) -> str:
    # Terms in order: concurrent writers lock search_term's rows in one order, so never in a cycle.
    return (
        f"INSERT INTO search_posting (term, weight, length, entry_id) {postings(rows)};"
        "INSERT INTO search_term AS s (term, entries) "
        f"SELECT term, count(*) FROM ({postings(rows)}) AS p GROUP BY term ORDER BY term "
        "ON CONFLICT (term) DO UPDATE SET entries = s.entries + excluded.entries;"
        f"UPDATE search_tally SET entries = entries + (SELECT count(*) FROM {rows} AS c), "
        f"terms = terms + (SELECT coalesce(sum({_length('e')}), 0) FROM {rows} e) WHERE id = 1;"
    )


def _remove(rows: str) -> str:
    # Each posting by its whole key: a primary-key lookup, not a walk of the term's entries.
    return (
        f"DELETE FROM search_posting p USING ({postings(rows)}) AS o WHERE p.term = o.term "
        "AND p.weight = o.weight AND p.length = o.length AND p.entry_id = o.entry_id;"
        "UPDATE search_term s SET entries = s.entries - o.entries "
        f"FROM (SELECT term, count(*) AS entries FROM ({postings(rows)}) AS p GROUP BY term) AS o "
        "WHERE s.term = o.term;"
        "DELETE FROM search_term s WHERE s.entries = 0 "
        f"AND s.term IN (SELECT term FROM ({postings(rows)}) AS p);"
        f"UPDATE search_tally SET entries = entries - (SELECT count(*) FROM {rows} AS c), "
        f"terms = terms - (SELECT coalesce(sum({_length('e')}), 0) FROM {rows} e) WHERE id = 1;"
    )


def _function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"


FUNCTIONS = [
    _function("search_postings_added", _add("new_rows")),
    _function("search_postings_removed", _remove("old_rows")),
    _function("search_postings_replaced", _remove("old_rows") + _add("new_rows")),
]
TRIGGERS = [
    "CREATE TRIGGER search_entry_postings_ai AFTER INSERT ON search_entry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_postings_added()",
    "CREATE TRIGGER search_entry_postings_ad AFTER DELETE ON search_entry "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_postings_removed()",
    "CREATE TRIGGER search_entry_postings_au AFTER UPDATE ON search_entry "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_postings_replaced()",
]

BACKFILL = [
    # In key order: appending to the B-tree, not inserting all over it.
    "INSERT INTO search_posting (term, weight, length, entry_id) "
    f"SELECT * FROM ({postings('search_entry')}) AS p ORDER BY term, weight, length, entry_id",
    "INSERT INTO search_term (term, entries) SELECT term, count(*) FROM search_posting GROUP BY term",
    "INSERT INTO search_tally (id, entries, terms) "
    f"SELECT 1, count(*), coalesce(sum({_length('e')}), 0) FROM search_entry e",
    "ANALYZE search_posting, search_term, search_tally",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The backfill runs for minutes at scale: no per-statement limit, and room to sort in memory, for the
    # rest of the migrating transaction.
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("SET LOCAL work_mem = '256MB'")
    for statement in TABLES + BACKFILL + FUNCTIONS + TRIGGERS:
        op.execute(statement)


# What upgrade creates, dropped in the reverse order.
DROPS = [
    *(f"DROP TRIGGER search_entry_postings_{suffix} ON search_entry" for suffix in ("ai", "ad", "au")),
    *(f"DROP FUNCTION search_postings_{name}()" for name in ("added", "removed", "replaced")),
    *(f"DROP TABLE {table}" for table in ("search_tally", "search_term", "search_posting")),
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DROPS:
            op.execute(statement)
