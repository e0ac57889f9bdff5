"""Claim queries: filtered keyset pages and single claims, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import Connection, and_, bindparam, case, func, literal, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from app.db import Database
from app.schemas.claims import ClaimPage, ClaimPageMeta, ClaimPublic
from app.services import claim_plans, revisioned
from app.services.claim_bodies import body_json, claims_with_revisions
from app.services.claim_filters import (
    ClaimFilters,
    ResolvedFilters,
    conditions,
    corroboration_count,
    resolve,
    undated_left_out,
)
from app.services.claim_plans import CLAIM_COLUMNS, CLAIM_ORDER
from app.services.claim_rows import claim_row, claims_rows
from app.services.pagination import decode_cursor, encode_cursor, meta_dict
from app.services.search.matching import matching_keys
from app.services.search.query import Node
from app.services.tables import CLAIM, CLAIM_BODY
from app.services.writes.revisions import Current, Rendered

CURSOR_TYPES = (str, int, int, str)
_CLAIM_LIST = TypeAdapter(list[ClaimPublic])


_RANKED = ("contested", "valid_from", "-valid_from")


def list_claims(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> ClaimPage:
    """One page of the claims matching `filters`: in document order, best match first, most contested
    first, or by date."""
    if filters.query is not None and filters.sort == "relevance":
        return _list_by_relevance(database, filters, filters.query, limit=limit, cursor=cursor)
    if filters.sort == "contested":
        return _list_contested(database, filters, limit=limit, cursor=cursor)
    if filters.sort in ("valid_from", "-valid_from"):
        return _list_by_date(database, filters, limit=limit, cursor=cursor)
    body = list_claims_json(database, filters, limit=limit, cursor=cursor)
    return ClaimPage.model_validate_json(body)


def list_claims_json(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None = None
) -> bytes:
    """`list_claims` as its JSON body, rendered straight from the rows.

    Each claim's stored answer was serialised from the schema when it was written; validating it again
    into models and serialising those was a third of a page's CPU time. It goes into the body as it is.
    """
    if filters.sort in _RANKED or (filters.query is not None and filters.sort == "relevance"):
        found = list_claims(database, filters, limit=limit, cursor=cursor)
        data = [orjson.Fragment(body_json(claim)) for claim in found.data]
        return orjson.dumps({"data": data, "meta": meta_dict(found.meta)})
    key = decode_cursor("claims", cursor, CURSOR_TYPES) if cursor else None
    page = None
    left_out = None
    if (named := claim_plans.named_range(filters)) is not None:
        # The commonest lists, in one statement (its own snapshot). Finding no claim, it cannot tell an
        # unknown value (422) from an empty page: resolving the filters below does.
        with database.read(snapshot=False) as connection:
            page = claim_plans.named_range_page(connection, *named, key, limit)
    if page is None:
        with database.read() as connection:
            resolved = resolve(connection, filters)
            if (of_range := claim_plans.range_of(resolved)) is not None:
                page = claim_plans.range_page(connection, *of_range, key, limit)
            else:
                page = claim_plans.keyset_page(connection, resolved, key, limit)
            left_out = undated_left_out(connection, resolved)
    next_cursor = None
    if page.more:
        last = page.rows[-1]
        next_cursor = encode_cursor("claims", [last.document_id, last.span_start, last.span_end, last.id])
    meta = claim_page_meta(page.total, limit, next_cursor, left_out)
    return orjson.dumps({"data": claims_json(page.rows), "meta": meta})


def claim_page_meta(total: int, limit: int, next_cursor: str | None, left_out: int | None) -> dict[str, Any]:
    """`meta_dict` of the `ClaimPageMeta` of these values, without building the model (the service's own
    values, which need no validation): `undated_left_out` shown only when set."""
    meta: dict[str, Any] = {"total": total, "limit": limit, "next_cursor": next_cursor}
    if left_out is not None:
        meta["undated_left_out"] = left_out
    return meta


def _list_by_relevance(
    database: Database, filters: ClaimFilters, query: Node, *, limit: int, cursor: str | None
) -> ClaimPage:
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
        return _ranked_page(
            connection,
            rows,
            limit,
            total,
            "claims-by-relevance",
            lambda last: [float(last.score)],
            undated_left_out(connection, resolve(connection, filters)),
        )


def _list_contested(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None
) -> ClaimPage:
    """Most contested first: by independent contradicting sources, then qualifying sources (each as the
    claim's answer counts them), then document order."""
    key = decode_cursor("claims-contested", cursor, (int, int, *CURSOR_TYPES)) if cursor else None
    with database.read() as connection:
        dialect = connection.dialect.name
        resolved = resolve(connection, filters)
        where = resolved.conditions(dialect)
        contradicting = corroboration_count(dialect, "contradicting_sources").label("contradicting")
        qualifying = corroboration_count(dialect, "qualifying_sources").label("qualifying")
        scored = (
            select(*CLAIM_ORDER, contradicting, qualifying)
            .join_from(CLAIM, CLAIM_BODY, CLAIM_BODY.c.claim_id == CLAIM.c.id)
            .where(*where)
            .subquery()
        )
        ranks = [("contradicting", True), ("qualifying", True)]
        return _ranked_list(connection, resolved, scored, ranks, key, limit, "claims-contested")


def _list_by_date(database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None) -> ClaimPage:
    """By `validity.valid_from` (its text: a coarser date before a finer one of the same period), earliest
    first, or latest first with "-valid_from"; undated claims last, each group then in document order."""
    descending = filters.sort == "-valid_from"
    kind = "claims-by-date-desc" if descending else "claims-by-date"
    key = decode_cursor(kind, cursor, (int, str, *CURSOR_TYPES)) if cursor else None
    with database.read() as connection:
        resolved = resolve(connection, filters)
        where = resolved.conditions(connection.dialect.name)
        undated = case((CLAIM.c.valid_from.is_(None), literal(1)), else_=literal(0)).label("undated")
        date = func.coalesce(CLAIM.c.valid_from, literal("")).label("date")
        dated = select(*CLAIM_ORDER, undated, date).where(*where).subquery()
        ranks = [("undated", False), ("date", descending)]
        return _ranked_list(connection, resolved, dated, ranks, key, limit, kind)


def _ranked_list(
    connection: Connection,
    resolved: ResolvedFilters,
    ranked: Subquery,
    ranks: Sequence[tuple[str, bool]],
    key: Sequence[Any] | None,
    limit: int,
    kind: str,
) -> ClaimPage:
    """A page of the filtered claims in `ranked`, ordered by its `ranks` (a column's name, descending or
    not), then in document order, after the cursor's `key` (the ranks' values, then the order key)."""
    where = resolved.conditions(connection.dialect.name)
    total = connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one()
    columns = [(ranked.c[name], descending) for name, descending in ranks]
    order = (ranked.c.document_id, ranked.c.span_start, ranked.c.span_end, ranked.c.id)
    by = [column.desc() if descending else column for column, descending in columns]
    page = select(ranked).order_by(*by, *order).limit(limit + 1)
    if key is not None:
        lasts, position = key[: len(ranks)], key[len(ranks) :]
        after = [
            (column, last, descending) for (column, descending), last in zip(columns, lasts, strict=True)
        ]
        page = page.where(_beyond(after, order, position))
    rows = connection.execute(page).all()
    return _ranked_page(
        connection,
        rows,
        limit,
        total,
        kind,
        lambda last: [getattr(last, name) for name, _ in ranks],
        undated_left_out(connection, resolved),
    )


def _beyond(
    ranks: Sequence[tuple[ColumnElement[Any], Any, bool]],
    order: Sequence[ColumnElement[Any]],
    position: Sequence[Any],
) -> ColumnElement[bool]:
    """The keyset condition for the rows after a page's last: ordered by each rank (its column, the last
    row's value, descending or not), then by document `order` from `position`."""
    after: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for column, last, descending in ranks:
        after.append(and_(*equal, column < last if descending else column > last))
        equal.append(column == last)
    after.append(and_(*equal, tuple_(*order) > tuple_(*position)))
    return or_(*after)


def _ranked_page(
    connection: Connection,
    rows: Sequence[Any],
    limit: int,
    total: int,
    cursor_kind: str,
    ranks: Callable[[Any], list[Any]],
    left_out: int | None = None,
) -> ClaimPage:
    """The page of `rows` (up to limit + 1, ranked by a SELECT, each with its claim's order key): the
    claims in that order, and a cursor naming the last one shown by its `ranks` and its order key."""
    by_id = {row.id: row for row in claims_rows(connection, [row.id for row in rows[:limit]])}
    claims = _CLAIM_LIST.validate_python(claim_dicts([by_id[row.id] for row in rows[:limit]]))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        order_key = [last.document_id, last.span_start, last.span_end, last.id]
        next_cursor = encode_cursor(cursor_kind, [*ranks(last), *order_key])
    meta = ClaimPageMeta(total=total, limit=limit, next_cursor=next_cursor, undated_left_out=left_out)
    return ClaimPage(data=claims, meta=meta)


def claims_by_id(connection: Connection, ids: Sequence[str]) -> list[ClaimPublic]:
    """The claims with these ids that exist, in document order, shaped as the API answers them."""
    return _CLAIM_LIST.validate_python(claim_dicts(claims_rows(connection, ids)))


def claims_json(rows: Sequence[Any]) -> list[Any]:
    """Rows of `claims_rows` as the API's claim objects for `orjson.dumps` only: each stored answer goes
    into the body as it is (orjson writes a Fragment's text unparsed)."""
    return [orjson.Fragment(row.body) for row in rows]


def claim_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of `claims_rows` as the API's claim objects (plain dicts, in the schema's key order)."""
    return [orjson.loads(row.body) for row in rows]


_CLAIM_ID = select(CLAIM.c.id).where(CLAIM.c.id == bindparam("claim_id"))


def claim_exists(connection: Connection, claim_id: str) -> bool:
    """Whether a claim with this id exists (one indexed lookup; nothing of it is built)."""
    return connection.execute(_CLAIM_ID, {"claim_id": claim_id}).first() is not None


def current_claim(connection: Connection, claim_id: str) -> Current[ClaimPublic] | None:
    """The claim with this id, built from its rows, with its revision, or None."""
    found = claims_with_revisions(connection, [claim_id])
    if not found:
        return None
    claim, revision = found[0]
    return Current("claim", claim_id, revision, claim)


def stored_claim(connection: Connection, claim_id: str) -> Current[ClaimPublic] | None:
    """The claim with this id as its stored answer shows it, with its revision, or None: one statement,
    where `current_claim` runs one per part of the claim (an edit loads a claim this way)."""
    row = claim_row(connection, claim_id)
    if row is None:
        return None
    return Current("claim", claim_id, row.revision, ClaimPublic.model_validate_json(row.body))


def rendered_claim(connection: Connection, claim_id: str) -> Rendered | None:
    """The claim with this id as its JSON body (the bytes `current_claim` would serialise), or None."""
    row = claim_row(connection, claim_id)
    if row is None:
        return None
    return Rendered("claim", claim_id, row.revision, orjson.dumps(claims_json([row])[0]))


def read_claim(database: Database, claim_id: str) -> Rendered:
    """A claim for GET, rendered from its row; raises Gone (410) for a deleted one, NotFound for one that
    never existed."""
    return revisioned.read(database, "claim", claim_id, rendered_claim, one_statement=True)
