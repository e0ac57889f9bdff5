"""Migration 0020 derives PostgreSQL's search postings from the entries a database already holds, and the
triggers it creates keep them; downgraded, they go (SQLite's, from 0007, stay)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from app.db import Database
from app.services import migrations
from app.services.search import hits
from app.services.search import index as search_index
from app.services.search.query import parse
from tests.databases import engine_under_test

ENTRIES = [
    (
        "claim",
        "c1",
        "Mobile money grows",
        "Mobile wallets and mobile money",
        "mobil money grow",
        "mobil wallet and mobil money",
    ),
    ("claim", "c2", "Exports", "Freelancers export services", "export", "freelanc export servic"),
    ("entity", "e1", "JazzCash", "A mobile wallet", "jazzcash", "a mobil wallet"),
    ("theme", "t1", "Empty", "", "empti", ""),
]


def _tables(database: Database) -> set[str]:
    with database.read() as connection:
        return set(inspect(connection).get_table_names())


def _postings(database: Database) -> set[tuple[str, float, int, str]]:
    with database.read() as connection:
        rows = connection.execute(
            text(
                "SELECT p.term, p.weight, p.length, e.key FROM search_posting p "
                "JOIN search_entry e ON e.id = p.entry_id"
            )
        )
        return {(found, float(weight), length, key) for found, weight, length, key in rows}


def test_0020_derives_the_postings_of_a_database_with_entries(fresh_database: Database) -> None:
    migrations.upgrade(fresh_database, "0019")
    with fresh_database.write() as connection:
        for kind, key, title, body, title_terms, body_terms in ENTRIES:
            connection.execute(
                text(
                    "INSERT INTO search_entry (kind, key, title, body, title_terms, body_terms) "
                    "VALUES (:kind, :key, :title, :body, :title_terms, :body_terms)"
                ),
                {"kind": kind, "key": key, "title": title, "body": body}
                | {"title_terms": title_terms, "body_terms": body_terms},
            )
    migrations.upgrade(fresh_database)
    with fresh_database.write() as connection:
        search_index.check(connection)
    postings = _postings(fresh_database)
    # c1 holds 8 terms; "mobil" once in its title (2) and twice in its body (1 each).
    assert ("mobil", 4.0, 8, "c1") in postings
    assert ("mobil", 1.0, 4, "e1") in postings
    assert not any(key == "t1" and found == "" for found, _, _, key in postings)
    assert len(postings) == 5 + 3 + 4 + 1  # distinct terms of each entry
    page = hits.search(fresh_database, parse("mobile"), kinds=[], limit=10)
    assert [(hit.type, hit.id) for hit in page.data] == [("claim", "c1"), ("entity", "e1")]
    assert page.meta.total == 2
    # The triggers keep them from here on: many rows in one statement, an update, a delete.
    with fresh_database.write() as connection:
        connection.execute(
            text("UPDATE search_entry SET body_terms = 'mobil mobil' WHERE key IN ('c2', 't1')")
        )
        connection.execute(text("DELETE FROM search_entry WHERE key = 'c1'"))
        search_index.check(connection)
    page = hits.search(fresh_database, parse("mobile"), kinds=[], limit=10)
    assert page.meta.total == 3
    # c2 and t1 tie (3 terms each, "mobil" twice): the claim first; e1 holds it once.
    assert [hit.id for hit in page.data] == ["c2", "t1", "e1"]

    migrations.downgrade(fresh_database, "0019")
    derived = {"search_posting", "search_term", "search_tally"}
    assert (
        derived <= _tables(fresh_database)
        if engine_under_test() == "sqlite"
        else not derived & _tables(fresh_database)
    )
    migrations.upgrade(fresh_database)
    with fresh_database.write() as connection:
        search_index.check(connection)
