"""Entity queries: lookup by slug, name or alias (case-insensitively), filtered pages."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Connection,
    String,
    Text,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.db import Database
from app.models import ENTITY_TYPES
from app.schemas.common import Page, PageMeta
from app.schemas.entities import EntityPublic
from app.services import revisioned
from app.services.errors import NotFound, UnknownFilterValues
from app.services.id_sets import among, bound
from app.services.keys import like_prefix, lookup_key
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.prepared import Prepared
from app.services.tables import ENTITY, ENTITY_ALIAS
from app.services.tallies import tallied
from app.services.writes.revisions import Current

ENTITY_ORDER = (ENTITY.c.name_key, ENTITY.c.id)


@cache
def _entities_by_key(dialect: str) -> Prepared:
    return Prepared(
        union(
            select(ENTITY.c.slug.label("key"), ENTITY.c.id).where(among(ENTITY.c.slug, "keys", dialect)),
            select(ENTITY.c.name_key, ENTITY.c.id).where(among(ENTITY.c.name_key, "keys", dialect)),
            select(ENTITY_ALIAS.c.alias_key, ENTITY_ALIAS.c.entity_id).where(
                among(ENTITY_ALIAS.c.alias_key, "keys", dialect)
            ),
        )
    )


def entity_ids_by_key(connection: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Map each key that names an entity (slug, name or alias, any case) to the entity's id."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_key[lookup_key(key)].append(key)
    dialect = connection.dialect.name
    found: dict[str, int] = {}
    for key, entity_id in _entities_by_key(dialect).rows(connection, keys=bound(list(by_key), dialect)):
        for original in by_key[key]:
            found[original] = entity_id
    return found


def resolve_entity_id(connection: Connection, key: str) -> int:
    """The id of the entity `key` names; raises NotFound."""
    found = entity_ids_by_key(connection, [key])
    if key not in found:
        raise NotFound("entity", key)
    return found[key]


def _claim_count() -> Any:
    return tallied("entity", ENTITY.c.id).label("claim_count")


@cache
def _aliases_of(dialect: str) -> Prepared:
    return Prepared(
        select(ENTITY_ALIAS.c.entity_id, ENTITY_ALIAS.c.alias)
        .where(among(ENTITY_ALIAS.c.entity_id, "ids", dialect, integers=True))
        .order_by(ENTITY_ALIAS.c.position, ENTITY_ALIAS.c.id)
    )


def _shape(connection: Connection, rows: Sequence[Any]) -> list[EntityPublic]:
    aliases: defaultdict[int, list[str]] = defaultdict(list)
    if rows:
        dialect = connection.dialect.name
        ids = bound([row.id for row in rows], dialect)
        for entity_id, alias in _aliases_of(dialect).rows(connection, ids=ids):
            aliases[entity_id].append(alias)
    return [_public(row, aliases[row.id]) for row in rows]


def _public(row: Any, aliases: list[str]) -> EntityPublic:
    """An entity row (`_COLUMNS` and its claim count) with its aliases, as the API answers it."""
    return EntityPublic(
        slug=row.slug,
        name=row.name,
        type=row.type,
        description=row.description,
        aliases=aliases,
        external_ids=row.external_ids,
        claim_count=row.claim_count,
    )


_COLUMNS = (
    ENTITY.c.id,
    ENTITY.c.slug,
    ENTITY.c.name,
    ENTITY.c.name_key,
    ENTITY.c.type,
    ENTITY.c.description,
    ENTITY.c.external_ids,
)


def list_entities(
    database: Database,
    *,
    types: list[str],
    q: str | None,
    limit: int,
    cursor: str | None = None,
) -> Page[EntityPublic]:
    """One page of entities by name, optionally of some types or whose name or an alias starts with `q`."""
    if unknown := [t for t in types if t not in ENTITY_TYPES]:
        raise UnknownFilterValues("type", unknown, f"Types are: {', '.join(ENTITY_TYPES)}.")
    key = decode_cursor("entities", cursor, (str, int)) if cursor else None
    where: list[Any] = []
    if types:
        where.append(ENTITY.c.type.in_(types))
    if q is not None and (prefix := lookup_key(q)):
        pattern = like_prefix(prefix)
        where.append(
            or_(
                ENTITY.c.name_key.like(pattern, escape="\\"),
                ENTITY.c.slug.like(pattern, escape="\\"),
                ENTITY.c.id.in_(
                    select(ENTITY_ALIAS.c.entity_id).where(
                        ENTITY_ALIAS.c.alias_key.like(pattern, escape="\\")
                    )
                ),
            )
        )
    with database.read() as connection:
        total = connection.execute(select(func.count()).select_from(ENTITY).where(*where)).scalar_one()
        page = select(*_COLUMNS, _claim_count()).where(*where).order_by(*ENTITY_ORDER).limit(limit + 1)
        if key is not None:
            page = after(page, ENTITY_ORDER, key)
        rows = list(connection.execute(page).all())
        entities = _shape(connection, rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor("entities", [rows[limit - 1].name_key, rows[limit - 1].id])
    return Page[EntityPublic](data=entities, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


@cache
def _entity_by_id() -> Prepared:
    return Prepared(select(*_COLUMNS, _claim_count()).where(ENTITY.c.id == bindparam("id")))


def entity_by_id(connection: Connection, entity_id: int) -> EntityPublic | None:
    """The entity with this id as the API answers it, or None."""
    rows = _entity_by_id().rows(connection, id=entity_id)
    return _shape(connection, rows)[0] if rows else None


def current_entity(connection: Connection, entity_id: int) -> Current[EntityPublic] | None:
    """The entity with this id, with its revision, or None."""
    return revisioned.current(
        connection, "entity", ENTITY, "id", entity_id, entity_by_id, named_by=lambda entity: entity.slug
    )


def entity_id_for(connection: Connection, key: str) -> int:
    """The id of the entity a slug, name or alias names; raises Gone (410) or NotFound."""
    found = entity_ids_by_key(connection, [key])
    if key not in found:
        # A deleted entity is known by its slug; an unknown key is named as the client wrote it.
        error = revisioned.missing(connection, "entity", lookup_key(key))
        raise NotFound("entity", key) if isinstance(error, NotFound) else error
    return found[key]


def _aliases_in_order(dialect: str) -> ColumnElement[Any]:
    """A correlated subquery: the entity's aliases in their order, as a list (PostgreSQL's array) or a
    JSON array (SQLite's text)."""
    if dialect == "postgresql":
        ordered = aggregate_order_by(ENTITY_ALIAS.c.alias, ENTITY_ALIAS.c.position, ENTITY_ALIAS.c.id)
        return (
            select(func.array_agg(ordered, type_=ARRAY(Text)))
            .where(ENTITY_ALIAS.c.entity_id == ENTITY.c.id)
            .scalar_subquery()
        )
    in_order = (
        select(ENTITY_ALIAS.c.alias)
        .where(ENTITY_ALIAS.c.entity_id == ENTITY.c.id)
        .order_by(ENTITY_ALIAS.c.position, ENTITY_ALIAS.c.id)
        .correlate(ENTITY)  # a subquery in FROM is not correlated unless told
        .subquery()
    )
    return select(func.json_group_array(in_order.c.alias)).scalar_subquery()


@cache
def _entity_named(dialect: str) -> Prepared:
    key: BindParameter[str] = bindparam("key", type_=String())
    # Slugs, names and aliases are each unique; a key that is one entity's slug and another's name or
    # alias names the first (as claim filters read it, app/services/claim_filters.py).
    named = func.coalesce(
        select(ENTITY.c.id).where(ENTITY.c.slug == key).scalar_subquery(),
        select(ENTITY.c.id).where(ENTITY.c.name_key == key).scalar_subquery(),
        select(ENTITY_ALIAS.c.entity_id).where(ENTITY_ALIAS.c.alias_key == key).scalar_subquery(),
    )
    return Prepared(
        select(
            *_COLUMNS, _claim_count(), ENTITY.c.revision, _aliases_in_order(dialect).label("aliases")
        ).where(ENTITY.c.id == named)
    )


def read_entity(database: Database, key: str) -> Current[EntityPublic]:
    """An entity, by slug, name or alias, for GET, read in one statement; raises Gone (410) or NotFound."""
    with database.read(snapshot=False) as connection:
        row = _entity_named(connection.dialect.name).first(connection, key=lookup_key(key))
        if row is None:
            error = revisioned.missing(connection, "entity", lookup_key(key))
            raise NotFound("entity", key) if isinstance(error, NotFound) else error
    aliases = row.aliases if isinstance(row.aliases, list) else json.loads(row.aliases or "[]")
    return Current("entity", row.slug, int(row.revision), _public(row, aliases))


def every_entity(connection: Connection, batch: int = 1000) -> Iterator[EntityPublic]:
    """Every entity as the API answers it, by name (for a snapshot), shaped a batch at a time."""
    rows = connection.execute(select(*_COLUMNS, _claim_count()).order_by(*ENTITY_ORDER))
    for part in rows.partitions(batch):
        yield from _shape(connection, part)
