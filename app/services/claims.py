"""Claim queries: filtered keyset pages and single claims, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.db import Database
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page, PageMeta
from app.services import claim_plans, revisioned
from app.services.claim_bodies import claims_with_revisions
from app.services.claim_filters import ClaimFilters, conditions, resolve
from app.services.claim_plans import CLAIM_COLUMNS, CLAIM_ORDER
from app.services.id_sets import bound
from app.services.keys import lookup_key
from app.services.pagination import after, decode_cursor, encode_cursor, page_json
from app.services.prepared import Prepared
from app.services.search.matching import matching_keys
from app.services.search.query import Node
from app.services.tables import CLAIM
from app.services.writes.revisions import Current, Rendered

CURSOR_TYPES = (str, int, int, str)
_CLAIM_LIST = TypeAdapter(list[ClaimPublic])


def list_claims(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> Page[ClaimPublic]:
    """One page of the claims matching `filters`: in document order, or best match first."""
    if filters.query is not None and filters.sort == "relevance":
        return _list_by_relevance(database, filters, filters.query, limit=limit, cursor=cursor)
    found, meta = _claim_page(database, filters, limit=limit, cursor=cursor)
    return Page[ClaimPublic](data=_CLAIM_LIST.validate_python(claim_dicts(found)), meta=meta)


def list_claims_json(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> bytes:
    """`list_claims` as its JSON body, rendered straight from the rows.

    Each claim's stored answer was serialised from the schema when it was written; validating it again
    into models and serialising those was a third of a page's CPU time. It goes into the body as it is.
    """
    if filters.query is not None and filters.sort == "relevance":
        page = _list_by_relevance(database, filters, filters.query, limit=limit, cursor=cursor)
        return page.__pydantic_serializer__.to_json(page)
    found, meta = _claim_page(database, filters, limit=limit, cursor=cursor)
    return page_json(claims_json(found), meta)


def _claim_page(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None
) -> tuple[list[Any], PageMeta]:
    """A page in document order, as `claims_rows` rows, and its meta."""
    key = decode_cursor("claims", cursor, CURSOR_TYPES) if cursor else None
    # One theme, one entity, or one of each, and nothing else (the commonest lists): one statement on
    # SQLite.
    if database.is_sqlite and (named := _named_range(filters)) is not None:
        found_page = _named_range_page(database, *named, key, limit)
        if found_page is not None:
            return found_page
    with database.read() as connection:
        resolved = resolve(connection, filters)
        chosen = claim_plans.plan(connection, resolved, limit=limit)
        total = chosen.total
        rows: Sequence[Any] = []
        found: list[Any] = []
        keys = {f"k{index}": value for index, value in enumerate(key or ())}
        if chosen.keys is not None:
            # A key past the page only says there is a next one.
            rows = [k for k in chosen.keys if key is None or k > tuple(key)][: limit + 1]
            found = claims_rows(connection, [claim_id for *_, claim_id in rows[:limit]])
        elif total and chosen.ranged is not None:
            rows = claim_plans.range_page(connection, *chosen.ranged, key, limit)
            found = list(rows[:limit])
        elif total and chosen.shape is not None:
            values = {f"v{index}": value for index, value in enumerate(chosen.values)}
            whole = claim_plans.reads_whole_claims(chosen.shape)
            statement = claim_plans.page_statement(chosen.shape, key is not None, whole)
            rows = statement.rows(connection, **values, **keys, limit=limit + 1)
            found = list(rows[:limit]) if whole else claims_rows(connection, [row.id for row in rows[:limit]])
        elif total:
            page = select(*CLAIM_ORDER).where(*chosen.page_conditions)
            page = page.order_by(*CLAIM_ORDER).limit(limit + 1)
            if key is not None:
                page = after(page, CLAIM_ORDER, key)
            rows = connection.execute(page).all()
            found = claims_rows(connection, [row.id for row in rows[:limit]])
    return found, _page_meta(found, total, limit, more=len(rows) > limit)


def _page_meta(found: Sequence[Any], total: int, limit: int, *, more: bool) -> PageMeta:
    next_cursor = None
    if more:
        last = found[-1]
        next_cursor = encode_cursor("claims", [last.document_id, last.span_start, last.span_end, last.id])
    return PageMeta(total=total, limit=limit, next_cursor=next_cursor)


def _named_range(filters: ClaimFilters) -> tuple[str, dict[str, str]] | None:
    """What `claim_plans.range_page` reads, named, for `filters` (`of`, and the names bound),
    when they are one theme, one entity, or one of each, and nothing else; else None."""
    themes, entities = filters.themes, filters.entities
    if len(themes) > 1 or len(entities) > 1 or not (themes or entities):
        return None
    if filters != ClaimFilters(themes=themes, entities=entities):
        return None
    names = {}
    if themes:
        names["slug"] = themes[0]
    if entities:
        names["entity_key"] = lookup_key(entities[0])
    return ("pair" if themes and entities else "theme" if themes else "entity"), names


def _named_range_page(
    database: Database, of: str, names: dict[str, str], key: Sequence[Any] | None, limit: int
) -> tuple[list[Any], PageMeta] | None:
    """A page of one theme's, one entity's or one pair's claims on SQLite in a single statement (its own
    snapshot), or None when it found no claim: the general plan then tells an unknown value (422) from
    an empty page."""
    with database.read(snapshot=False) as connection:
        rows = claim_plans.range_page(connection, of, names, key, limit, named=True)
    if not rows:
        return None
    found = rows[:limit]
    return found, _page_meta(found, int(rows[0].total), limit, more=len(rows) > limit)


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
        by_id = {row.id: row for row in claims_rows(connection, [row.id for row in rows[:limit]])}
        claims = _CLAIM_LIST.validate_python(claim_dicts([by_id[row.id] for row in rows[:limit]]))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(
            "claims-by-relevance",
            [float(last.score), last.document_id, last.span_start, last.span_end, last.id],
        )
    return Page[ClaimPublic](data=claims, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def claims_rows(connection: Connection, ids: Sequence[str]) -> list[Any]:
    """The claims with these ids, in document order, in one statement: their order key (`id`,
    `document_id`, `span_start`, `span_end`), `revision`, and their stored answer `body`."""
    if not ids:
        return []
    dialect = connection.dialect.name
    return _claims_by_ids(dialect).rows(connection, ids=bound(ids, dialect))


def claims_by_id(connection: Connection, ids: Sequence[str]) -> list[ClaimPublic]:
    """The claims with these ids that exist, in document order, shaped as the API answers them."""
    return _CLAIM_LIST.validate_python(claim_dicts(claims_rows(connection, ids)))


# A claim, or a page of them, in one statement, with its stored answer (app.services.claim_bodies).
_CLAIMS_BY_IDS = {
    "sqlite": "WHERE c.id IN (SELECT value FROM json_each(:ids))",
    "postgresql": "WHERE c.id = ANY(:ids)",
}
_STORED_SELECT = (
    "SELECT c.id, c.document_id, c.span_start, c.span_end, c.revision, b.body\n"
    "FROM claim c JOIN claim_body b ON b.claim_id = c.id"
)


@cache
def _claims_by_ids(dialect: str) -> Prepared:
    """The statement behind `claims_rows`, built once per dialect."""
    ids = bindparam("ids", type_=ARRAY(String()) if dialect == "postgresql" else String())
    columns = [CLAIM.c.id, CLAIM.c.document_id, CLAIM.c.span_start, CLAIM.c.span_end]
    read = [
        *(literal_column(column.name, column.type) for column in columns),
        literal_column("revision", Integer()),
        literal_column("body", String()),
    ]
    sql = f"{_STORED_SELECT}\n{_CLAIMS_BY_IDS[dialect]}\n"
    statement = (
        text(sql + "ORDER BY c.document_id, c.span_start, c.span_end, c.id").bindparams(ids).columns(*read)
    )
    return Prepared(statement)


def claims_json(rows: Sequence[Any]) -> list[Any]:
    """Rows of `claims_rows` as the API's claim objects for `orjson.dumps` only: each stored answer goes
    into the body as it is (orjson writes a Fragment's text unparsed)."""
    return [orjson.Fragment(row.body) for row in rows]


def claim_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of `claims_rows` as the API's claim objects (plain dicts, in the schema's key order)."""
    return [orjson.loads(row.body) for row in rows]


def current_claim(connection: Connection, claim_id: str) -> Current[ClaimPublic] | None:
    """The claim with this id, built from its rows, with its revision, or None."""
    found = claims_with_revisions(connection, [claim_id])
    if not found:
        return None
    claim, revision = found[0]
    return Current("claim", claim_id, revision, claim)


def rendered_claim(connection: Connection, claim_id: str) -> Rendered | None:
    """The claim with this id as its JSON body (the bytes `current_claim` would serialise), or None."""
    rows = claims_rows(connection, [claim_id])
    if not rows:
        return None
    return Rendered("claim", claim_id, rows[0].revision, orjson.dumps(claims_json(rows)[0]))


def read_claim(database: Database, claim_id: str) -> Rendered:
    """A claim for GET, rendered from its row; raises Gone (410) for a deleted one, NotFound for one that
    never existed."""
    return revisioned.read(database, "claim", claim_id, rendered_claim, one_statement=True)
