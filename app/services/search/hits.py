"""GET /v1/search: ranked hits of every kind, with highlighted snippets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Float, String, and_, bindparam, func, or_, select, tuple_

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.search import SearchHit
from app.services.id_sets import among, bound
from app.services.pagination import decode_cursor, encode_cursor
from app.services.prepared import Prepared
from app.services.search.matching import match_text, query_text
from app.services.search.query import Node, positive_terms
from app.services.search.snippets import highlight
from app.services.tables import SEARCH_ENTRY


@dataclass(frozen=True)
class _Statements:
    count: Prepared
    page: Prepared
    texts: Prepared


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
    return _Statements(
        count=Prepared(select(func.count()).select_from(counted).where(*where)),
        page=Prepared(page),
        texts=Prepared(texts),
    )


def search(
    database: Database, node: Node, *, kinds: list[str], limit: int, cursor: str | None = None
) -> Page[SearchHit]:
    """One page of hits for a parsed query, best first (ties in type, then id, order)."""
    key = decode_cursor("search", cursor, (float, str, str)) if cursor else None
    with database.read() as connection:
        dialect = connection.dialect.name
        statements = _statements(dialect, bool(kinds), key is not None)
        params: dict[str, object] = {"q": query_text(dialect, node)}
        if kinds:
            params["kinds"] = bound(kinds, dialect)
        total = int(statements.count.scalar(connection, **params) or 0)
        if key is not None:
            params |= dict(zip(("score", "kind", "key"), key, strict=True))
        rows = statements.page.rows(connection, **params, limit=limit + 1)
        ids = [row.id for row in rows[:limit]]
        texts = {
            row.id: (row.title, row.body)
            for row in statements.texts.rows(connection, ids=bound(ids, dialect))
        }
    wanted = positive_terms(node)
    hits = []
    for row in rows[:limit]:
        row_title, row_body = texts[row.id]
        body, body_matches = highlight(row_body, wanted)
        use_body = body_matches > 0
        # The title is the snippet only when the body has no match: highlighted only then.
        title = "" if use_body else highlight(row_title, wanted)[0]
        hits.append(
            SearchHit(
                type=row.kind,
                id=row.key,
                title=row_title,
                score=round(float(row.score), 6),
                snippet=body if use_body else title,
                field="body" if use_body else "title",
            )
        )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor("search", [float(last.score), last.kind, last.key])
    return Page[SearchHit](data=hits, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))
