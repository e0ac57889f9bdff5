"""Migrations 0012 and 0013 keep a database's rows, links, derived tables and triggers: upgraded with
data, the tables take paraphrase claims and relations; downgraded, what 0011 cannot hold goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.db import Database
from app.services import migrations

ROWS = [
    "INSERT INTO document (id, title, text, sha256, published_date) "
    "VALUES ('held', 'Held', 'Some text here.', 'abc', '2020-01-02')",
    "INSERT INTO theme (slug, name, description, position) VALUES ('t', 'T', 'A theme.', 0)",
    "INSERT INTO entity (slug, name, name_key, type, description, external_ids) "
    "VALUES ('e', 'E', 'e', 'company', 'An entity.', '{}')",
    "INSERT INTO claim (id, document_id, statement, quote, span_start, span_end, kind) "
    "VALUES ('q1', 'held', 'Some text.', 'Some text', 0, 9, 'fact')",
    "INSERT INTO claim_theme (claim_id, theme_id) SELECT 'q1', id FROM theme",
    "INSERT INTO claim_entity (claim_id, entity_id) SELECT 'q1', id FROM entity",
]


def _one(database: Database, sql: str) -> Any:
    with database.read() as connection:
        return connection.execute(text(sql)).scalar()


def _derived(database: Database, claim_id: str) -> tuple[Any, ...]:
    """The claim's rows in the derived tables: under its theme, its entity, its pair, and the tallies."""
    counts = [
        _one(database, f"SELECT count(*) FROM {table} WHERE claim_id = '{claim_id}'")
        for table in ("claim_by_theme", "claim_by_entity", "claim_pair")
    ]
    return (*counts, _one(database, "SELECT claims FROM claim_tally WHERE dimension = 'claim'"))


def test_0012_and_0013_keep_the_data_and_its_triggers(fresh_database: Database) -> None:
    migrations.upgrade(fresh_database, "0011")
    with fresh_database.write() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    assert _derived(fresh_database, "q1") == (1, 1, 1, 1)

    migrations.upgrade(fresh_database)
    assert _derived(fresh_database, "q1") == (1, 1, 1, 1)
    assert _one(fresh_database, "SELECT published_date FROM document WHERE id = 'held'") == "2020-01-02"
    with fresh_database.write() as connection:
        connection.execute(
            text("INSERT INTO document (id, title, published_date) VALUES ('cited', 'C', '2019')")
        )
        connection.execute(
            text(
                "INSERT INTO claim (id, document_id, statement, span_start, span_end, kind) "
                "VALUES ('p1', 'cited', 'A paraphrase.', 0, 0, 'fact')"
            )
        )
        connection.execute(text("INSERT INTO claim_theme (claim_id, theme_id) SELECT 'p1', id FROM theme"))
        connection.execute(text("INSERT INTO claim_entity (claim_id, entity_id) SELECT 'p1', id FROM entity"))
        connection.execute(
            text(
                "INSERT INTO claim_relation (subject_id, type, object_id, note) "
                "VALUES ('p1', 'supports', 'q1', 'N.')"
            )
        )
    # The triggers of the redefined claim table still keep the derived tables.
    assert _derived(fresh_database, "p1") == (1, 1, 1, 2)

    migrations.downgrade(fresh_database, "0011")
    assert _one(fresh_database, "SELECT count(*) FROM claim") == 1
    assert _one(fresh_database, "SELECT count(*) FROM document") == 1
    assert _derived(fresh_database, "q1") == (1, 1, 1, 1)
    assert _derived(fresh_database, "p1")[:3] == (0, 0, 0)
