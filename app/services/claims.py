"""Claim queries: filtered keyset pages and single claims, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import Connection, and_, func, or_, select, tuple_

from app.db import Database
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page, PageMeta
from app.services import claim_plans
from app.services.claim_filters import ClaimFilters, conditions, resolve
from app.services.claim_plans import CLAIM_COLUMNS, CLAIM_ORDER
from app.services.errors import NotFound
from app.services.id_sets import among, bound
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.prepared import Prepared
from app.services.search.matching import matching_keys
from app.services.search.query import Node
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, CONTEXT_NOTE, ENTITY, THEME

CURSOR_TYPES = (str, int, int, str)
_CLAIM_LIST = TypeAdapter(list[ClaimPublic])


def list_claims(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> Page[ClaimPublic]:
    """One page of the claims matching `filters`: in document order, or best match first."""
    if filters.query is not None and filters.sort == "relevance":
        return _list_by_relevance(database, filters, filters.query, limit=limit, cursor=cursor)
    data, meta = _claim_page(database, filters, limit=limit, cursor=cursor)
    return Page[ClaimPublic](data=_CLAIM_LIST.validate_python(data), meta=meta)


def list_claims_json(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> bytes:
    """`list_claims` as its JSON body, rendered straight from the rows.

    The rows were validated when they were written; validating them again into models and serialising
    those was a third of a page's CPU time.
    """
    if filters.query is not None and filters.sort == "relevance":
        page = _list_by_relevance(database, filters, filters.query, limit=limit, cursor=cursor)
        return page.__pydantic_serializer__.to_json(page)
    data, meta = _claim_page(database, filters, limit=limit, cursor=cursor)
    return orjson.dumps({"data": data, "meta": meta.model_dump()})


def _claim_page(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], PageMeta]:
    """A page in document order, as plain claim dicts, and its meta."""
    key = decode_cursor("claims", cursor, CURSOR_TYPES) if cursor else None
    with database.read() as connection:
        resolved = resolve(connection, filters)
        chosen = claim_plans.plan(connection, resolved, limit=limit)
        total = chosen.total
        rows: Sequence[Any] = []
        if chosen.keys is not None:
            following = [k for k in chosen.keys if key is None or k > tuple(key)][: limit + 1]
            found = claims_rows(connection, [claim_id for *_, claim_id in following[:limit]])
            rows = [*found, *following[limit:]]  # a row past the page only says there is a next one
        elif total and chosen.shape is not None:
            values = {f"v{index}": value for index, value in enumerate(chosen.values)}
            keys = {f"k{index}": value for index, value in enumerate(key or ())}
            statement = claim_plans.page_statement(chosen.shape, key is not None)
            rows = statement.rows(connection, **values, **keys, limit=limit + 1)
        elif total:
            page = select(*CLAIM_COLUMNS).where(*chosen.page_conditions)
            page = page.order_by(*CLAIM_ORDER).limit(limit + 1)
            if key is not None:
                page = after(page, CLAIM_ORDER, key)
            rows = connection.execute(page).all()
        claims = _shape_dicts(connection, rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor("claims", [last.document_id, last.span_start, last.span_end, last.id])
    return claims, PageMeta(total=total, limit=limit, next_cursor=next_cursor)


def _list_by_relevance(
    database: Database, filters: ClaimFilters, query: Node, *, limit: int, cursor: str | None
) -> Page[ClaimPublic]:
    key = decode_cursor("claims-by-relevance", cursor, (float, *CURSOR_TYPES)) if cursor else None
    with database.read() as connection:
        where = conditions(connection, filters)
        total = connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one()
        scores = matching_keys(connection.dialect.name, query, "claim").subquery()
        page = (
            select(*CLAIM_COLUMNS, scores.c.score)
            .join_from(CLAIM, scores, scores.c.key == CLAIM.c.id)
            .where(*where)
            .order_by(scores.c.score.desc(), *CLAIM_ORDER)
            .limit(limit + 1)
        )
        if key is not None:
            last_score, *position = key
            page = page.where(
                or_(
                    scores.c.score < last_score,
                    and_(scores.c.score == last_score, tuple_(*CLAIM_ORDER) > tuple_(*position)),
                )
            )
        rows = connection.execute(page).all()
        claims = _shape(connection, rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(
            "claims-by-relevance",
            [float(last.score), last.document_id, last.span_start, last.span_end, last.id],
        )
    return Page[ClaimPublic](data=claims, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def get_claim(database: Database, claim_id: str) -> ClaimPublic:
    """One claim by id; raises NotFound."""
    with database.read() as connection:
        rows = connection.execute(select(*CLAIM_COLUMNS).where(CLAIM.c.id == claim_id)).all()
        claims = _shape(connection, rows)
    if not claims:
        raise NotFound("claim", claim_id)
    return claims[0]


def claims_rows(connection: Connection, ids: Sequence[str]) -> list[Any]:
    """The claim rows (CLAIM_COLUMNS) with these ids, in document order."""
    dialect = connection.dialect.name
    return _statements(dialect).claims.rows(connection, ids=bound(ids, dialect))


def claims_by_id(connection: Connection, ids: Sequence[str]) -> list[ClaimPublic]:
    """The claims with these ids that exist, in document order, shaped as the API answers them."""
    return _shape(connection, claims_rows(connection, ids))


@dataclass(frozen=True)
class _Statements:
    claims: Prepared
    themes: Prepared
    entities: Prepared
    context: Prepared


@cache
def _statements(dialect: str) -> _Statements:
    """The statements that read claims by id, built once per dialect: building a statement costs
    twice what executing a cached one does."""
    return _Statements(
        claims=Prepared(
            select(*CLAIM_COLUMNS).where(among(CLAIM.c.id, "ids", dialect)).order_by(*CLAIM_ORDER)
        ),
        themes=Prepared(
            select(CLAIM_THEME.c.claim_id, THEME.c.slug, THEME.c.name)
            .join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
            .where(among(CLAIM_THEME.c.claim_id, "ids", dialect))
            .order_by(THEME.c.position, THEME.c.id)
        ),
        entities=Prepared(
            select(CLAIM_ENTITY.c.claim_id, ENTITY.c.slug, ENTITY.c.name, ENTITY.c.type)
            .join(ENTITY, ENTITY.c.id == CLAIM_ENTITY.c.entity_id)
            .where(among(CLAIM_ENTITY.c.claim_id, "ids", dialect))
            .order_by(ENTITY.c.name_key, ENTITY.c.id)
        ),
        context=Prepared(
            select(CONTEXT_NOTE.c.claim_id, CONTEXT_NOTE.c.note, CONTEXT_NOTE.c.sources)
            .where(among(CONTEXT_NOTE.c.claim_id, "ids", dialect))
            .order_by(CONTEXT_NOTE.c.position, CONTEXT_NOTE.c.id)
        ),
    )


def _shape(connection: Connection, rows: Sequence[Any]) -> list[ClaimPublic]:
    """Claim rows as validated models."""
    # Plain rows validated in one call by pydantic-core: 3.5x faster than building the nested models
    # one by one in Python (which was a quarter of a claim list's CPU time).
    return _CLAIM_LIST.validate_python(_shape_dicts(connection, rows))


def _shape_dicts(connection: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Nest themes, entities and context into claim rows: three queries, whatever the page size."""
    if not rows:
        return []
    dialect = connection.dialect.name
    statements = _statements(dialect)
    ids = bound([row.id for row in rows], dialect)
    themes: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim_id, slug, name in statements.themes.rows(connection, ids=ids):
        themes[claim_id].append({"slug": slug, "name": name})
    entities: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim_id, slug, name, kind in statements.entities.rows(connection, ids=ids):
        entities[claim_id].append({"slug": slug, "name": name, "type": kind})
    context: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim_id, note, sources in statements.context.rows(connection, ids=ids):
        context[claim_id].append({"note": note, "sources": sources})
    return [
        {
            "id": claim_id,
            "statement": statement,
            "quote": quote,
            "kind": kind,
            "document_id": document_id,
            "span": {"start": start, "end": end},
            "themes": themes[claim_id],
            "entities": entities[claim_id],
            "context": context[claim_id],
        }
        for claim_id, statement, quote, kind, document_id, start, end, *_ in rows
    ]
