"""Migration 0019: the claims-in-order tables' ids are collated as the claims' are on PostgreSQL, so the
triggers that remove a claim's rows find them by the claim_id index instead of reading the table."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import Database
from app.services import migrations
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL collations")
TABLES = ("claim_pair", "claim_by_theme", "claim_by_entity")
COLLATIONS = (
    "SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND column_name IN ('claim_id', 'document_id') "
    "AND table_name IN ('claim', 'claim_pair', 'claim_by_theme', 'claim_by_entity')"
)


def _collations(database: Database) -> dict[str, str | None]:
    with database.read() as connection:
        return {str(column): collation for column, collation in connection.execute(text(COLLATIONS))}


def _plans(database: Database) -> list[str]:
    """How a trigger's `claim_id = OLD.claim_id` (a "C" value) finds the rows of each table."""
    plans = []
    with database.write() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        for table in TABLES:
            explained = connection.execute(
                text(f'EXPLAIN DELETE FROM {table} WHERE claim_id = (CAST(:id AS VARCHAR) COLLATE "C")'),
                {"id": "c-001"},
            )
            plans.append(" ".join(explained.scalars()))
    return plans


def test_the_claims_in_order_are_found_by_claim_id_after_0019(fresh_database: Database) -> None:
    migrations.upgrade(fresh_database, "0018")
    assert _collations(fresh_database)["claim_pair.claim_id"] is None
    assert all("Seq Scan" in plan for plan in _plans(fresh_database))

    migrations.upgrade(fresh_database)
    assert set(_collations(fresh_database).values()) == {"C"}
    assert not any("Seq Scan" in plan for plan in _plans(fresh_database))

    migrations.downgrade(fresh_database, "0018")
    assert _collations(fresh_database)["claim_by_entity.document_id"] is None
