"""A search's JSON body rendered from plain hits (hits.search_json) is the validated page's, byte for
byte: the ETag is a digest of those bytes, and the two paths must never disagree."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import Database
from app.services.search import hits
from app.services.search.query import parse

QUERIES = ["pakistan", "freelanc*", '"IT sector"', "careem OR daraz", "mobile -banking", "zzzz-no-match"]


def _pages(database: Database, query: str, kinds: list[str], limit: int) -> list[tuple[bytes, bytes]]:
    """Every page of a search, as (search_json's body, the validated page serialised)."""
    pages, cursor = [], None
    while True:
        node = parse(query)
        page = hits.search(database, node, kinds=kinds, limit=limit, cursor=cursor)
        body = hits.search_json(database, node, kinds=kinds, limit=limit, cursor=cursor)
        pages.append((body, page.__pydantic_serializer__.to_json(page)))
        if (cursor := page.meta.next_cursor) is None:
            return pages


@pytest.mark.parametrize("kinds", [[], ["claim"], ["entity", "theme"]])
@pytest.mark.parametrize("query", QUERIES)
def test_a_search_body_is_the_validated_pages_bytes(
    seeded_database: Database, query: str, kinds: list[str]
) -> None:
    pages = _pages(seeded_database, query, kinds, limit=4)
    for body, validated in pages:
        assert body == validated
    assert pages


def test_every_word_of_the_seed_renders_as_the_validated_page(seeded_database: Database) -> None:
    with seeded_database.read() as connection:
        words = [row[0] for row in connection.execute(text("SELECT DISTINCT term FROM search_posting"))]
    assert len(words) > 300
    for word in words[::5]:
        node = parse(word)
        page = hits.search(seeded_database, node, kinds=[], limit=20)
        assert hits.search_json(
            seeded_database, node, kinds=[], limit=20
        ) == page.__pydantic_serializer__.to_json(page), word
