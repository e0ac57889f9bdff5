"""Each claim's answer, stored (SQLite): `claim_body` holds the JSON object the API answers for a claim,
kept by triggers.

Hand-written. A list page or a single claim built its answer per request: a claim's themes, entities and
context notes, each aggregated to JSON by a correlated subquery that sorts them, for every claim of the
page. That was two thirds of a list page's SQLite time (about 290 of 420 µs for 21 claims at 100,000
claims on the benchmark's host) and the larger part of a single claim's. Stored, a page reads each
claim's answer by primary key and writes the bytes into the response as they are.

Derived state, kept exact by row triggers whatever path writes: a claim's answer is rebuilt when the
claim, one of its links or one of its context notes changes, and for every claim of a theme or entity
whose slug, name, type or sort key changes (a rename rewrites each of its claims: one taxonomy edit,
many answers). A deleted claim's answer goes with it. The answer is built by the same SQL the reads used
(`app/services/nested_lists.py` at revision 0008), so the bytes are the same.

SQLite only. PostgreSQL builds its answers with json_build_object, whose text differs from SQLite's and
whose reads wait on the network rather than on the CPU; it keeps building them per read.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A claim's answer, of the claim row `c`, in the API's key order. A scalar subquery's result loses its
# JSON subtype, so json() marks each nested list as JSON again (json_object would quote it as a string).
BODY = """json_object(
  'id', c.id, 'statement', c.statement, 'quote', c.quote, 'kind', c.kind, 'document_id', c.document_id,
  'span', json_object('start', c.span_start, 'end', c.span_end),
  'themes', json((SELECT json_group_array(json_object('slug', slug, 'name', name)) FROM (
     SELECT t.slug, t.name FROM claim_theme ct JOIN theme t ON t.id = ct.theme_id
     WHERE ct.claim_id = c.id ORDER BY t.position, t.id))),
  'entities', json((SELECT json_group_array(json_object('slug', slug, 'name', name, 'type', type)) FROM (
     SELECT e.slug, e.name, e.type FROM claim_entity ce JOIN entity e ON e.id = ce.entity_id
     WHERE ce.claim_id = c.id ORDER BY e.name_key, e.id))),
  'context', json((SELECT json_group_array(json_object('note', note, 'sources', json(sources))) FROM (
     SELECT n.note, n.sources FROM context_note n
     WHERE n.claim_id = c.id ORDER BY n.position, n.id))))"""


def _refresh(claims: str) -> str:
    """Rebuild the answers of the claims `c` for which `claims` holds. An upsert, not INSERT OR REPLACE:
    a conflict clause of the statement that fired the trigger (INSERT OR IGNORE …) would override the
    trigger's own, and the answer would silently stay stale."""
    # Built from this file's constants only (no input): S608 does not apply.
    return (
        f"INSERT INTO claim_body (claim_id, body) SELECT c.id, {BODY} FROM claim c WHERE {claims} "  # noqa: S608
        "ON CONFLICT (claim_id) DO UPDATE SET body = excluded.body;"
    )


def _link_triggers(table: str) -> dict[str, str]:
    """A link or a note changes its claim's answer (its old claim's too, if it moved)."""
    return {
        f"{table}_body_ai": f"AFTER INSERT ON {table} BEGIN {_refresh('c.id = new.claim_id')} END",
        f"{table}_body_ad": f"AFTER DELETE ON {table} BEGIN {_refresh('c.id = old.claim_id')} END",
        f"{table}_body_au": f"AFTER UPDATE ON {table} "
        f"BEGIN {_refresh('c.id IN (old.claim_id, new.claim_id)')} END",
    }


THEMED = "c.id IN (SELECT claim_id FROM claim_theme WHERE theme_id = new.id)"
NAMED = "c.id IN (SELECT claim_id FROM claim_entity WHERE entity_id = new.id)"
GONE = "DELETE FROM claim_body WHERE claim_id = old.id"
# Each trigger's name and what follows `CREATE TRIGGER <name>`.
TRIGGERS = {
    "claim_body_ai": f"AFTER INSERT ON claim BEGIN {_refresh('c.id = new.id')} END",
    "claim_body_au": "AFTER UPDATE OF id, statement, quote, kind, document_id, span_start, span_end ON claim "
    f"BEGIN {GONE} AND old.id <> new.id; {_refresh('c.id = new.id')} END",
    "claim_body_ad": f"AFTER DELETE ON claim BEGIN {GONE}; END",
    **_link_triggers("claim_theme"),
    **_link_triggers("claim_entity"),
    **_link_triggers("context_note"),
    # What a claim shows of its themes and entities, and what sorts them.
    "theme_body_au": f"AFTER UPDATE OF id, slug, name, position ON theme BEGIN {_refresh(THEMED)} END",
    "entity_body_au": f"AFTER UPDATE OF id, slug, name, type, name_key ON entity BEGIN {_refresh(NAMED)} END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Read by primary key only; the rows live in its order, each answer inline with its key.
    op.execute(
        "CREATE TABLE claim_body (claim_id VARCHAR(100) NOT NULL, body TEXT NOT NULL, "
        "CONSTRAINT pk_claim_body PRIMARY KEY (claim_id)) WITHOUT ROWID"
    )
    op.execute(_refresh("true"))  # the claims earlier revisions already hold
    for name, trigger in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {trigger}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE claim_body")
