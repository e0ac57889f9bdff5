"""Each claim's stored answer is written by the service, on both engines.

Hand-written. `claim_body` (0009) was SQLite's alone and kept by SQL triggers that built each answer
with json_object: a second definition of a claim's public JSON beside the schema, so a new claim field
needed a new trigger migration. The service now writes each body from the schema
(`app/services/claim_bodies.py`) on every write that changes it, and the migrate step rebuilds them all
when they are missing or stale.

SQLite: the triggers go, and the table gains a foreign key to its claim (a deleted claim's answer goes
with it, as the triggers did); its answers stay. PostgreSQL: the table is created, empty; the migrate
step fills it. Both engines then read a page's answers from it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = ("claim_theme", "claim_entity", "context_note")
EVENTS = ("ai", "ad", "au")
# The body triggers of 0009, by name.
TRIGGERS = (
    "claim_body_ai",
    "claim_body_au",
    "claim_body_ad",
    *(f"{table}_body_{event}" for table in LINKS for event in EVENTS),
    "theme_body_au",
    "entity_body_au",
)

SQLITE_TABLE = (
    "CREATE TABLE claim_body (claim_id VARCHAR(100) NOT NULL, body TEXT NOT NULL, "
    "CONSTRAINT pk_claim_body PRIMARY KEY (claim_id), "
    "CONSTRAINT fk_claim_body_claim_id_claim FOREIGN KEY (claim_id) REFERENCES claim (id) ON DELETE CASCADE"
    ") WITHOUT ROWID"
)
POSTGRESQL_TABLE = (
    'CREATE TABLE claim_body (claim_id VARCHAR(100) COLLATE "C" NOT NULL, body TEXT NOT NULL, '
    "CONSTRAINT pk_claim_body PRIMARY KEY (claim_id), "
    "CONSTRAINT fk_claim_body_claim_id_claim FOREIGN KEY (claim_id) REFERENCES claim (id) ON DELETE CASCADE)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(POSTGRESQL_TABLE)
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    # SQLite adds a foreign key only by rebuilding the table.
    op.execute("ALTER TABLE claim_body RENAME TO claim_body_0009")
    op.execute(SQLITE_TABLE)
    op.execute("INSERT INTO claim_body (claim_id, body) SELECT claim_id, body FROM claim_body_0009")
    op.execute("DROP TABLE claim_body_0009")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TABLE claim_body")
        return
    # 0009's table and triggers, its answers rebuilt by them (from 0009 itself: one definition of each).
    from importlib import import_module

    body_0009 = import_module("migrations.versions.20261129_0009_claim_body")
    op.execute("DROP TABLE claim_body")
    op.execute(
        "CREATE TABLE claim_body (claim_id VARCHAR(100) NOT NULL, body TEXT NOT NULL, "
        "CONSTRAINT pk_claim_body PRIMARY KEY (claim_id)) WITHOUT ROWID"
    )
    op.execute(body_0009._refresh("true"))
    for name, trigger in body_0009.TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {trigger}")
