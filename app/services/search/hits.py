"""GET /v1/search: ranked hits of every kind, with highlighted snippets."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, tuple_

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.search import SearchHit
from app.services.pagination import decode_cursor, encode_cursor
from app.services.search.matching import match
from app.services.search.query import Node, positive_terms
from app.services.search.snippets import highlight
from app.services.tables import SEARCH_ENTRY


def search(
    database: Database, node: Node, *, kinds: list[str], limit: int, cursor: str | None = None
) -> Page[SearchHit]:
    """One page of hits for a parsed query, best first (ties in type, then id, order)."""
    key = decode_cursor("search", cursor, (float, str, str)) if cursor else None
    with database.read() as connection:
        found = match(connection.dialect.name, node)
        where = [found.condition]
        if kinds:
            where.append(SEARCH_ENTRY.c.kind.in_(kinds))
        counted = found.index if found.index is not None and not kinds else found.source
        total = connection.execute(select(func.count()).select_from(counted).where(*where)).scalar_one()
        score = found.score.label("score")
        # Rank on keys only, then read the texts of the page's rows: carrying every match's title and
        # body through the sort cost most of a search with many matches.
        page = (
            select(SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key, score)
            .select_from(found.source)
            .where(*where)
            .order_by(score.desc(), SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key)
            .limit(limit + 1)
        )
        if key is not None:
            last_score, last_kind, last_key = key
            page = page.where(
                or_(
                    found.score < last_score,
                    and_(
                        found.score == last_score,
                        tuple_(SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key) > tuple_(last_kind, last_key),
                    ),
                )
            )
        rows = connection.execute(page).all()
        ids = [row.id for row in rows[:limit]]
        texts = {
            entry_id: (title, body)
            for entry_id, title, body in connection.execute(
                select(SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.title, SEARCH_ENTRY.c.body).where(
                    SEARCH_ENTRY.c.id.in_(ids)
                )
            )
        }
    wanted = positive_terms(node)
    hits = []
    for row in rows[:limit]:
        row_title, row_body = texts[row.id]
        body, body_matches = highlight(row_body, wanted)
        title, _ = highlight(row_title, wanted)
        use_body = body_matches > 0
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
