"""Claim relations as the API answers them: one by its id, or a page filtered by claim and type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from app.db import Database
from app.models import MAX_ROW_ID
from app.schemas.claim_relations import RelationPublic
from app.schemas.common import Page, PageMeta
from app.services import revisioned
from app.services.errors import UnknownFilterValues
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.tables import CLAIM, CLAIM_RELATION
from app.services.writes.revisions import Current

RELATION_ORDER = (CLAIM_RELATION.c.id,)


def relation_public(row: Any) -> RelationPublic:
    """A claim_relation row as the API answers it."""
    return RelationPublic(
        id=row.id, subject_id=row.subject_id, type=row.type, object_id=row.object_id, note=row.note
    )


def current_relation(connection: Connection, relation_id: int) -> Current[RelationPublic] | None:
    """The relation with this id, with its revision, or None."""
    if relation_id > MAX_ROW_ID:  # PostgreSQL's INTEGER would refuse to compare (a 500)
        return None
    row = connection.execute(select(CLAIM_RELATION).where(CLAIM_RELATION.c.id == relation_id)).one_or_none()
    return None if row is None else Current("relation", str(row.id), row.revision, relation_public(row))


def read_relation(database: Database, relation_id: int) -> Current[RelationPublic]:
    """A relation for GET; raises Gone (410) for a deleted one, NotFound for one that never existed."""
    return revisioned.read(database, "relation", relation_id, current_relation)


def list_relations(
    database: Database,
    *,
    claims: list[str],
    types: list[str],
    limit: int,
    cursor: str | None = None,
) -> Page[RelationPublic]:
    """The relations in which any of `claims` is the subject or the object (all when none), of any of
    `types` (all when none), oldest first; raises UnknownFilterValues for a claim that does not exist."""
    key = decode_cursor("relations", cursor, (int,)) if cursor else None
    where: list[ColumnElement[bool]] = []
    if claims:
        where.append(or_(CLAIM_RELATION.c.subject_id.in_(claims), CLAIM_RELATION.c.object_id.in_(claims)))
    if types:
        where.append(CLAIM_RELATION.c.type.in_(types))
    with database.read() as connection:
        if claims:
            known = set(connection.execute(select(CLAIM.c.id).where(CLAIM.c.id.in_(claims))).scalars())
            if unknown := [claim for claim in claims if claim not in known]:
                raise UnknownFilterValues("claim", unknown, "GET /v1/claims lists the claim ids.")
        total = connection.execute(
            select(func.count()).select_from(CLAIM_RELATION).where(*where)
        ).scalar_one()
        page = select(CLAIM_RELATION).where(*where).order_by(*RELATION_ORDER).limit(limit + 1)
        if key is not None:
            page = after(page, RELATION_ORDER, key)
        rows = connection.execute(page).all()
    next_cursor = encode_cursor("relations", [rows[limit - 1].id]) if len(rows) > limit else None
    data = [relation_public(row) for row in rows[:limit]]
    return Page[RelationPublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))
