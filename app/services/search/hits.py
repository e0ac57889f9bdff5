"""GET /v1/search: ranked hits of every kind, with highlighted snippets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import Float, String, and_, bindparam, func, or_, select, tuple_

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.search import SearchHit
from app.services.id_sets import among, bound
from app.services.pagination import decode_cursor, encode_cursor
from app.services.prepared import Prepared
from app.services.search import one_statement
from app.services.search.matching import match_text, query_text
from app.services.search.postings import RankedEntry
from app.services.search.query import Node, Term, positive_terms
from app.services.search.snippets import Highlighter
from app.services.tables import SEARCH_ENTRY

_HITS = TypeAdapter(list[SearchHit])


@dataclass(frozen=True)
class _Statements:
    count: Prepared
    page: Prepared
    texts: Prepared
    # SQLite without a kind filter: the best matches ranked on the full-text index alone, then the
    # entries of those only (see `_ranked_on_index`).
    ranked: Prepared | None = None
    entries: Prepared | None = None
    # PostgreSQL: the count, the page and its texts in one statement (`_page_with_texts`).
    page_with_texts: Prepared | None = None


# How many matches past the page the index-only ranking reads at first: enough for the usual ties.
RANKED_SLACK = 64


@cache
def _statements(dialect: str, by_kind: bool, after: bool) -> _Statements:
    """The search's statements for one shape, built once: the engine's query is bound as `q`, the kinds
    as `kinds`, a cursor's place as `score`, `kind`, `key`, the page size as `limit`."""
    found = match_text(dialect, bindparam("q", type_=String()))
    where = [found.condition]
    if by_kind:
        where.append(among(SEARCH_ENTRY.c.kind, "kinds", dialect))
    counted = found.index if found.index is not None and not by_kind else found.source
    score = found.score.label("score")
    # Rank on keys only, then read the texts of the page's rows: carrying every match's title and body
    # through the sort cost most of a search with many matches.
    page = (
        select(SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key, score)
        .select_from(found.source)
        .where(*where)
        .order_by(score.desc(), SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key)
        .limit(bindparam("limit"))
    )
    if after:
        last_score = bindparam("score", type_=Float())
        last = tuple_(bindparam("kind", type_=String()), bindparam("key", type_=String()))
        page = page.where(
            or_(
                found.score < last_score,
                and_(found.score == last_score, tuple_(SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key) > last),
            )
        )
    texts = select(SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.title, SEARCH_ENTRY.c.body).where(
        among(SEARCH_ENTRY.c.id, "ids", dialect, integers=True)
    )
    ranked = entries = None
    if found.index is not None and not by_kind:
        index_score = found.score.label("score")
        ranked_keys = (
            select(found.index.c.rowid.label("id"), index_score)
            .select_from(found.index)
            .where(found.condition)
            .order_by(index_score.desc())
            .limit(bindparam("limit"))
        )
        if after:
            ranked_keys = ranked_keys.where(found.score <= bindparam("score", type_=Float()))
        ranked = Prepared(ranked_keys)
        entries = Prepared(
            select(
                SEARCH_ENTRY.c.id,
                SEARCH_ENTRY.c.kind,
                SEARCH_ENTRY.c.key,
                SEARCH_ENTRY.c.title,
                SEARCH_ENTRY.c.body,
            ).where(among(SEARCH_ENTRY.c.id, "ids", dialect, integers=True))
        )
    count = select(func.count()).select_from(counted).where(*where)
    page_with_texts = None
    if dialect == "postgresql":
        # One round trip instead of three: each statement's trip through psycopg and our process cost
        # more CPU than PostgreSQL's work for a page of twenty.
        ranked_page = page.subquery("ranked_page")
        text_of = SEARCH_ENTRY.alias("hit_text")
        page_with_texts = Prepared(
            select(
                count.scalar_subquery().label("total"),
                ranked_page.c.id,
                ranked_page.c.kind,
                ranked_page.c.key,
                ranked_page.c.score,
                text_of.c.title,
                text_of.c.body,
            )
            .select_from(ranked_page.join(text_of, text_of.c.id == ranked_page.c.id))
            .order_by(ranked_page.c.score.desc(), ranked_page.c.kind, ranked_page.c.key)
        )
    return _Statements(
        count=Prepared(count),
        page=Prepared(page),
        texts=Prepared(texts),
        ranked=ranked,
        entries=entries,
        page_with_texts=page_with_texts,
    )


def _ranked_on_index(
    connection: Any, statements: _Statements, params: dict[str, Any], wanted: int, key: Sequence[Any] | None
) -> list[RankedEntry]:
    """The best `wanted` matches past the cursor, in score, type, id order: ranked on the full-text index
    alone, then only those entries read.

    Looking up every match's entry for its type and id, to break ties in the sort, would cost a search
    with many matches a page read per match. Only matches tied with the last one read can reorder, so the
    index is read `RANKED_SLACK` past the page, and further only while the ties reach that far.
    """
    assert statements.ranked is not None
    assert statements.entries is not None
    dialect = connection.dialect.name
    read = wanted + RANKED_SLACK
    while True:
        scored = statements.ranked.rows(connection, **params, limit=read)
        complete = len(scored) < read  # every match (past the cursor's score) was read
        entries = statements.entries.rows(connection, ids=bound([row.id for row in scored], dialect))
        score_of = {row.id: float(row.score) for row in scored}
        ranked = sorted(
            (
                RankedEntry(row.id, row.kind, row.key, score_of[row.id], row.title, row.body)
                for row in entries
            ),
            key=lambda hit: (-hit.score, hit.kind, hit.key),
        )
        if key is not None:
            last_score, last = float(key[0]), (key[1], key[2])
            ranked = [hit for hit in ranked if hit.score < last_score or (hit.kind, hit.key) > last]
        # Matches scoring as the last one read may go on past it: all above it are in order.
        settled = ranked if complete else [hit for hit in ranked if hit.score > float(scored[-1].score)]
        if complete or len(settled) >= wanted:
            return settled[:wanted]
        read *= 4


def search(
    database: Database, node: Node, *, kinds: list[str], limit: int, cursor: str | None = None
) -> Page[SearchHit]:
    """One page of hits for a parsed query, best first (ties in type, then id, order)."""
    found, meta = _hits(database, node, kinds=kinds, limit=limit, cursor=cursor)
    return Page[SearchHit](data=_HITS.validate_python(found), meta=PageMeta(**meta))


def search_json(
    database: Database, node: Node, *, kinds: list[str], limit: int, cursor: str | None = None
) -> bytes:
    """`search` as its JSON body, rendered from the hits by orjson: validating twenty hits into models
    and serialising those cost more than the rest of the answer's rendering. The same bytes as the
    page's (tests/services/test_search_json.py)."""
    found, meta = _hits(database, node, kinds=kinds, limit=limit, cursor=cursor)
    return orjson.dumps({"data": found, "meta": meta})


def _hits(
    database: Database, node: Node, *, kinds: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The page's hits as plain dicts in `SearchHit`'s field order, and its meta in `PageMeta`'s."""
    key = decode_cursor("search", cursor, (float, str, str)) if cursor else None
    with database.read() as connection:
        # One word, no type filter: its best entries read from the postings, on either engine.
        if not kinds and isinstance(node, Term) and not node.prefix:
            total, rows = one_statement.best(connection, node.text, limit + 1, key)
        else:
            total, rows = _ranked(connection, node, kinds, limit, key)
    highlight = Highlighter(positive_terms(node))
    hits: list[dict[str, Any]] = []
    for row in rows[:limit]:
        # The title is the snippet only when the body has no match: highlighted only then.
        if body_spans := highlight.spans(row.body):
            snippet, field = highlight.render(row.body, body_spans), "body"
        else:
            snippet, field = highlight.render(row.title, highlight.spans(row.title)), "title"
        hits.append(
            {
                "type": row.kind,
                "id": row.key,
                "title": row.title,
                "score": round(float(row.score), 6),
                "snippet": snippet,
                "field": field,
            }
        )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor("search", [float(last.score), last.kind, last.key])
    return hits, {"total": total, "limit": limit, "next_cursor": next_cursor}


def _ranked(
    connection: Any, node: Node, kinds: list[str], limit: int, key: Sequence[Any] | None
) -> tuple[int, list[RankedEntry]]:
    """How many entries match `node`, and the best `limit + 1` past the cursor, ranked on the full-text
    index (any query but one word without a type filter)."""
    dialect = connection.dialect.name
    statements = _statements(dialect, bool(kinds), key is not None)
    params: dict[str, object] = {"q": query_text(dialect, node)}
    if kinds:
        params["kinds"] = bound(kinds, dialect)
    rows: list[Any]
    if statements.ranked is not None:
        total = int(statements.count.scalar(connection, **params) or 0)
        if key is not None:
            params["score"] = key[0]
        rows = _ranked_on_index(connection, statements, params, limit + 1, key)
    elif statements.page_with_texts is not None:
        if key is not None:
            params |= dict(zip(("score", "kind", "key"), key, strict=True))
        rows = statements.page_with_texts.rows(connection, **params, limit=limit + 1)
        # No row: no match, or a page past the last; the total is then counted on its own.
        params.pop("score", None)
        total = int(rows[0].total) if rows else int(statements.count.scalar(connection, **params) or 0)
    else:
        total = int(statements.count.scalar(connection, **params) or 0)
        if key is not None:
            params |= dict(zip(("score", "kind", "key"), key, strict=True))
        rows = statements.page.rows(connection, **params, limit=limit + 1)
        ids = [row.id for row in rows[:limit]]
        texts = {
            row.id: (row.title, row.body)
            for row in statements.texts.rows(connection, ids=bound(ids, dialect))
        }
        # Past the page (the one row read to know there is a next page) no text is needed.
        rows = [
            RankedEntry(row.id, row.kind, row.key, row.score, *texts.get(row.id, ("", ""))) for row in rows
        ]
    return total, rows
