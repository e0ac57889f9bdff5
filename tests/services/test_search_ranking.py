"""Search ranks on the full-text index before reading entries (app.services.search.hits): its pages, cursor
after cursor, are the order of ranking every match with its type and id, ties at a page's end included."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, text

from app.db import Database
from app.services.search import hits
from app.services.search.analyzer import terms
from app.services.search.query import parse
from app.services.tables import SEARCH_ENTRY
from tests.databases import engine_under_test

pytestmark = pytest.mark.skipif(engine_under_test() != "sqlite", reason="FTS5 ranking (SQLite)")

# Many entries with the same words score the same: long runs of ties, in every kind.
SHAPES = ("mobile wallets grow", "mobile mobile payments", "a mobile app", "telecom towers")


def _entries(count: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    rows = []
    for number in range(count):
        kind = rng.choice(("claim", "entity", "theme"))
        title, body = rng.choice(SHAPES), rng.choice(SHAPES)
        rows.append(
            {
                "kind": kind,
                "key": f"{kind}-{rng.randrange(10**6):06d}-{number}",
                "title": title,
                "body": body,
                "title_terms": terms(title),
                "body_terms": terms(body),
            }
        )
    return rows


def _every_match_ranked(database: Database, q: str) -> list[tuple[str, str]]:
    """The reference: every match with its entry, sorted whole by score, then type, then id."""
    with database.read() as connection:
        rows = connection.execute(
            text(
                "SELECT e.kind, e.key FROM search_entry e JOIN search_fts f ON f.rowid = e.id "
                "WHERE search_fts MATCH :q ORDER BY -bm25(search_fts, 2.0, 1.0) DESC, e.kind, e.key"
            ),
            {"q": q},
        )
        return [(kind, key) for kind, key in rows]


@pytest.mark.parametrize("slack", [hits.RANKED_SLACK, 1])
def test_pages_follow_the_order_of_ranking_every_match(
    migrated_database: Database, monkeypatch: pytest.MonkeyPatch, slack: int
) -> None:
    # A slack of 1 makes nearly every page's ties run past what the index was first read for.
    monkeypatch.setattr(hits, "RANKED_SLACK", slack)
    with migrated_database.write() as connection:
        connection.execute(insert(SEARCH_ENTRY), _entries(400))
    expected = _every_match_ranked(migrated_database, "mobil")
    assert len(expected) > 300
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        page = hits.search(migrated_database, parse("mobile"), kinds=[], limit=17, cursor=cursor)
        assert page.meta.total == len(expected)
        seen += [(hit.type, hit.id) for hit in page.data]
        cursor = page.meta.next_cursor
        if cursor is None:
            break
    assert seen == expected
