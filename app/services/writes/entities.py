"""Creating, editing and deleting entities; every slug, name and alias names exactly one entity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, union

from app.db import Database
from app.schemas.entities import EntityPublic
from app.schemas.writes import EntityCreate, EntityPatch
from app.services.entities import current_entity, entity_id_for
from app.services.keys import lookup_key
from app.services.search.index import reindex_entities
from app.services.tables import ENTITY, ENTITY_ALIAS
from app.services.writes.errors import Conflict, InvalidWrite
from app.services.writes.history import record
from app.services.writes.revisions import Current, bump, check_if_match, require_if_match
from app.services.writes.transaction import Actor, Unchanged, writing


def _check_names(
    connection: Connection, slug: str, name: str, aliases: list[str], own_id: int | None
) -> None:
    """Refuse an alias repeating the entity's own names (422) or a name another entity has (409)."""
    repeats = [
        (f"body.aliases[{index}]", f"alias {alias!r} repeats one of the entity's own names")
        for index, alias in enumerate(aliases)
        if lookup_key(alias) in {lookup_key(other) for other in [slug, name, *aliases[:index]]}
    ]
    if repeats:
        raise InvalidWrite(repeats)
    keys = {lookup_key(value): value for value in [slug, name, *aliases]}
    names = union(
        select(ENTITY.c.slug.label("key"), ENTITY.c.id, ENTITY.c.slug).where(ENTITY.c.slug.in_(list(keys))),
        select(ENTITY.c.name_key, ENTITY.c.id, ENTITY.c.slug).where(ENTITY.c.name_key.in_(list(keys))),
        select(ENTITY_ALIAS.c.alias_key, ENTITY.c.id, ENTITY.c.slug)
        .join(ENTITY, ENTITY.c.id == ENTITY_ALIAS.c.entity_id)
        .where(ENTITY_ALIAS.c.alias_key.in_(list(keys))),
    )
    taken = sorted(
        {(keys[key], other) for key, entity_id, other in connection.execute(names) if entity_id != own_id}
    )
    if taken:
        listed = "; ".join(f"{value!r} is already a name of {other!r}" for value, other in taken)
        raise Conflict(f"Every slug, name and alias must name one entity: {listed}.")


def _write_aliases(connection: Connection, entity_id: int, aliases: list[str]) -> None:
    connection.execute(delete(ENTITY_ALIAS).where(ENTITY_ALIAS.c.entity_id == entity_id))
    if aliases:
        connection.execute(
            insert(ENTITY_ALIAS),
            [
                {"entity_id": entity_id, "alias": alias, "alias_key": lookup_key(alias), "position": position}
                for position, alias in enumerate(aliases)
            ],
        )


def create_entity_on(connection: Connection, actor: Actor, body: EntityCreate) -> Current[EntityPublic]:
    """Insert an entity inside an open write transaction; 409 if a slug, name or alias is taken."""
    _check_names(connection, body.slug, body.name, body.aliases, None)
    entity_id = connection.execute(
        insert(ENTITY)
        .values(
            slug=body.slug,
            name=body.name,
            name_key=lookup_key(body.name),
            type=body.type,
            description=body.description,
            external_ids=dict(body.external_ids),
        )
        .returning(ENTITY.c.id)
    ).scalar_one()
    _write_aliases(connection, entity_id, body.aliases)
    after = current_entity(connection, entity_id)
    assert after is not None
    record(connection, actor, "create", None, after)
    reindex_entities(connection, [body.slug])
    return after


def create_entity(database: Database, actor: Actor, body: EntityCreate) -> Current[EntityPublic]:
    """Add an entity."""
    with writing(database) as connection:
        return create_entity_on(connection, actor, body)


def _load(connection: Connection, key: str, if_match: str) -> tuple[int, Current[EntityPublic]]:
    entity_id = entity_id_for(connection, key)
    before = current_entity(connection, entity_id)
    assert before is not None
    check_if_match(if_match, before)
    return entity_id, before


def update_entity(
    database: Database, actor: Actor, key: str, if_match: str | None, body: EntityPatch
) -> Current[EntityPublic]:
    """Merge-patch an entity (found by slug, name or alias) at the revision If-Match names."""
    if_match = require_if_match(if_match)
    changes = body.changes()
    try:
        with writing(database) as connection:
            entity_id, before = _load(connection, key, if_match)
            old = before.public
            if all(getattr(old, name) == value for name, value in changes.items()):
                raise Unchanged(before)
            aliases: list[str] = changes.get("aliases", old.aliases)
            _check_names(connection, old.slug, changes.get("name", old.name), aliases, entity_id)
            values: dict[str, Any] = {k: v for k, v in changes.items() if k != "aliases"}
            if "name" in values:
                values["name_key"] = lookup_key(values["name"])
            bump(connection, ENTITY, ENTITY.c.id == entity_id, before, values)
            if "aliases" in changes:
                _write_aliases(connection, entity_id, aliases)
            after = current_entity(connection, entity_id)
            assert after is not None
            record(connection, actor, "update", before, after)
            reindex_entities(connection, [old.slug])
            return after
    except Unchanged as unchanged:
        kept: Current[EntityPublic] = unchanged.current
        return kept


def delete_entity(database: Database, actor: Actor, key: str, if_match: str | None) -> None:
    """Delete an entity no claim names; 409 while claims still do."""
    if_match = require_if_match(if_match)
    with writing(database) as connection:
        entity_id, before = _load(connection, key, if_match)
        slug = before.public.slug
        if before.public.claim_count:
            raise Conflict(
                f"The entity {slug!r} is named by {before.public.claim_count} claim(s); take it off them "
                f"first (GET /v1/entities/{slug}/claims lists them).",
                claim_count=before.public.claim_count,
            )
        connection.execute(
            delete(ENTITY).where(ENTITY.c.id == entity_id, ENTITY.c.revision == before.revision)
        )
        record(connection, actor, "delete", before, None)
        reindex_entities(connection, [slug])
