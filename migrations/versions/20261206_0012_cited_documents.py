"""Cited documents and paraphrase claims.

Hand-written. A document may be *cited*: we record its citation (publisher, title, URL, date) and hold
none of its text, so `document.text` and `document.sha256` may be NULL (both or neither). Its claims
paraphrase it: `claim.quote` may be NULL, and then the claim has no span: its `span_start` and
`span_end` are both 0, the order key's empty range, which the check allows only with a NULL quote (the
order key never holds a NULL, so both engines sort it alike: app/models/claim.py). A document's
`published_date` becomes text, as precise as the source gives it ("2018-09-03", "2018-09" or "2018").

PostgreSQL alters the columns and constraints in place. SQLite cannot: its usual way, rebuilding a
table and dropping the old one, is unsafe for a parent table inside a transaction. With foreign keys
on (and `PRAGMA foreign_keys` cannot change inside one), renaming `claim` aside rewrites every child's
foreign key to the old name, and dropping the old table then cascades: every link, note and stored
body would go. The changes here only relax constraints and leave every stored value as it is, so the
tables are redefined in place the way SQLite documents for such changes ("Making Other Kinds Of Table
Schema Changes": writable_schema, the new CREATE TABLE text, a new schema_version), with an integrity
check of each table after; the rows, indexes and triggers stay.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPAN_RULE = (
    "(quote IS NOT NULL AND span_start >= 0 AND span_end > span_start) "
    "OR (quote IS NULL AND span_start = 0 AND span_end = 0)"
)
OLD_SPAN_RULE = "span_start >= 0 AND span_end > span_start"
HELD_RULE = "(text IS NULL) = (sha256 IS NULL)"
KINDS = "kind IN ('fact', 'opinion', 'prediction', 'recommendation')"


def _document_table(*, cited: bool) -> str:
    """SQLite's document table, with cited documents or as 0001 made it."""
    nullable = "" if cited else " NOT NULL"
    return (
        "CREATE TABLE document (id VARCHAR(100) NOT NULL, title VARCHAR NOT NULL, "
        f"text VARCHAR{nullable}, sha256 VARCHAR(64){nullable}, language VARCHAR(35), publisher VARCHAR, "
        f"url VARCHAR, published_date {'VARCHAR(10)' if cited else 'DATE'}, retrieved_date DATE, "
        "revision INTEGER DEFAULT '1' NOT NULL, CONSTRAINT pk_document PRIMARY KEY (id)"
        + (f", CONSTRAINT ck_document_held CHECK ({HELD_RULE}))" if cited else ")")
    )


def _claim_table(*, cited: bool) -> str:
    """SQLite's claim table, with paraphrase claims or as 0001 made it."""
    return (
        "CREATE TABLE claim (id VARCHAR(100) NOT NULL, document_id VARCHAR(100) NOT NULL, "
        f"statement VARCHAR NOT NULL, quote VARCHAR{'' if cited else ' NOT NULL'}, "
        "span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, kind VARCHAR(20) NOT NULL, "
        "revision INTEGER DEFAULT '1' NOT NULL, CONSTRAINT pk_claim PRIMARY KEY (id), "
        f"CONSTRAINT ck_claim_kind CHECK ({KINDS}), "
        f"CONSTRAINT ck_claim_span CHECK ({SPAN_RULE if cited else OLD_SPAN_RULE}), "
        "CONSTRAINT fk_claim_document_id_document FOREIGN KEY(document_id) REFERENCES document (id) "
        "ON DELETE CASCADE)"
    )


def redefine_sqlite_table(table: str, create: str) -> None:
    """Give a SQLite table the definition `create`: the same columns in the same order, with constraints
    relaxed (a NOT NULL dropped, a CHECK widened or added that every row meets, a declared type whose
    rows' values stay as stored). Its rows, indexes and triggers, and every foreign key and trigger of
    other tables that names it, stay as they are."""
    bind = op.get_bind()
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    op.execute("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :table"),
        {"sql": create, "table": table},
    )
    op.execute(f"PRAGMA schema_version = {int(version) + 1}")
    op.execute("PRAGMA writable_schema = OFF")
    problems = bind.execute(sa.text(f"PRAGMA integrity_check({table})")).scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"{table}: {problems}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Dates were stored as ISO text (no DATE storage class): under VARCHAR they stay as they are.
        redefine_sqlite_table("document", _document_table(cited=True))
        redefine_sqlite_table("claim", _claim_table(cited=True))
        return
    op.execute("ALTER TABLE document ALTER COLUMN text DROP NOT NULL, ALTER COLUMN sha256 DROP NOT NULL")
    op.execute(
        "ALTER TABLE document ALTER COLUMN published_date TYPE VARCHAR(10) "
        "USING to_char(published_date, 'YYYY-MM-DD')"
    )
    op.execute(f"ALTER TABLE document ADD CONSTRAINT ck_document_held CHECK ({HELD_RULE})")
    op.execute("ALTER TABLE claim ALTER COLUMN quote DROP NOT NULL")
    op.execute("ALTER TABLE claim DROP CONSTRAINT ck_claim_span")
    op.execute(f"ALTER TABLE claim ADD CONSTRAINT ck_claim_span CHECK ({SPAN_RULE})")


def downgrade() -> None:
    # What 0011 cannot hold goes: paraphrase claims, cited documents, and dates less precise than a day.
    op.execute("DELETE FROM claim WHERE quote IS NULL")
    op.execute("DELETE FROM document WHERE text IS NULL")
    op.execute("UPDATE document SET published_date = NULL WHERE length(published_date) <> 10")
    if op.get_bind().dialect.name == "sqlite":
        redefine_sqlite_table("claim", _claim_table(cited=False))
        redefine_sqlite_table("document", _document_table(cited=False))
        return
    op.execute("ALTER TABLE claim DROP CONSTRAINT ck_claim_span")
    op.execute(f"ALTER TABLE claim ADD CONSTRAINT ck_claim_span CHECK ({OLD_SPAN_RULE})")
    op.execute("ALTER TABLE claim ALTER COLUMN quote SET NOT NULL")
    op.execute("ALTER TABLE document DROP CONSTRAINT ck_document_held")
    op.execute(
        "ALTER TABLE document ALTER COLUMN published_date TYPE DATE "
        "USING to_date(published_date, 'YYYY-MM-DD')"
    )
    op.execute("ALTER TABLE document ALTER COLUMN text SET NOT NULL, ALTER COLUMN sha256 SET NOT NULL")
