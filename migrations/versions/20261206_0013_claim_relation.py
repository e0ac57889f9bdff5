"""Claim relations: "subject <type> object" between two claims, with a curator note and a revision.

Hand-written. `claim_relation` holds one row per (subject, type, object), type one of supports,
contradicts, qualifies, same-as, part-of; a claim never relates to itself; deleting either claim
deletes the relation. Relations are revisioned resources, so the change log's `resource_type` admits
"relation" (on SQLite by redefining the table in place, as 0012 does: `change` keeps its rows).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from importlib import import_module

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = "type IN ('supports', 'contradicts', 'qualifies', 'same-as', 'part-of')"
OLD_RESOURCES = "'claim', 'theme', 'entity', 'document', 'note'"


def _key(dialect: str) -> str:
    """A claim id's column type: byte-wise ordered on both engines (as app/models/base.py's key_text)."""
    return 'VARCHAR(100) COLLATE "C"' if dialect == "postgresql" else "VARCHAR(100)"


def _relation_table(dialect: str) -> str:
    serial = "SERIAL" if dialect == "postgresql" else "INTEGER"
    key = _key(dialect)
    return (
        f"CREATE TABLE claim_relation (id {serial} NOT NULL, subject_id {key} NOT NULL, "
        f"type VARCHAR(20) NOT NULL, object_id {key} NOT NULL, note VARCHAR NOT NULL, "
        "revision INTEGER DEFAULT '1' NOT NULL, "
        "CONSTRAINT pk_claim_relation PRIMARY KEY (id), "
        f"CONSTRAINT ck_claim_relation_type CHECK ({TYPES}), "
        "CONSTRAINT ck_claim_relation_not_self CHECK (subject_id <> object_id), "
        "CONSTRAINT uq_claim_relation_subject_id_type_object_id UNIQUE (subject_id, type, object_id), "
        "CONSTRAINT fk_claim_relation_subject_id_claim FOREIGN KEY(subject_id) REFERENCES claim (id) "
        "ON DELETE CASCADE, "
        "CONSTRAINT fk_claim_relation_object_id_claim FOREIGN KEY(object_id) REFERENCES claim (id) "
        "ON DELETE CASCADE)"
    )


def _change_table(resources: str) -> str:
    """SQLite's change table (0003) admitting `resources`."""
    return (
        "CREATE TABLE change (id INTEGER NOT NULL, at DATETIME NOT NULL, key_id INTEGER, "
        "key_name VARCHAR(100) NOT NULL, resource_type VARCHAR(10) NOT NULL, "
        "resource_id VARCHAR(100) NOT NULL, claim_id VARCHAR(100), action VARCHAR(10) NOT NULL, "
        '"before" JSON, "after" JSON, CONSTRAINT pk_change PRIMARY KEY (id), '
        f"CONSTRAINT ck_change_resource_type CHECK (resource_type IN ({resources})), "
        "CONSTRAINT ck_change_action CHECK (action IN ('create', 'update', 'delete')), "
        "CONSTRAINT fk_change_key_id_api_key FOREIGN KEY(key_id) REFERENCES api_key (id))"
    )


def _resources(resources: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        cited = import_module("migrations.versions.20261206_0012_cited_documents")
        cited.redefine_sqlite_table("change", _change_table(resources))
        return
    op.execute("ALTER TABLE change DROP CONSTRAINT ck_change_resource_type")
    op.execute(
        f"ALTER TABLE change ADD CONSTRAINT ck_change_resource_type CHECK (resource_type IN ({resources}))"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(_relation_table(dialect))
    op.execute("CREATE INDEX ix_claim_relation_object_id_type ON claim_relation (object_id, type)")
    _resources(f"{OLD_RESOURCES}, 'relation'")


def downgrade() -> None:
    op.execute("DELETE FROM change WHERE resource_type = 'relation'")
    _resources(OLD_RESOURCES)
    op.execute("DROP TABLE claim_relation")
