"""Creating, editing and deleting entities; every slug, name and alias names exactly one entity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, union

from app.db import Database
from app.schemas.entities import EntityPublic
from app.schemas.writes import EntityCreate, EntityPatch
from app.services.claim_bodies import of_entity
from app.services.entities import current_entity, entity_id_for, resolve_entity_id
from app.services.keys import lookup_key
from app.services.search.index import reindex_entities
from app.services.tables import ENTITY, ENTITY_ALIAS
from app.services.writes import edits
from app.services.writes.errors import Conflict, InvalidWrite
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor, transacted


def _find(connection: Connection, key: str) -> Current[EntityPublic] | None:
    """The entity a slug, name or alias names; raises Gone or NotFound."""
    return current_entity(connection, entity_id_for(connection, key))


# Found by any of its names, an entity is known by its slug, which no edit changes.
ENTITIES = edits.Editable("entity", ENTITY, "slug", find=_find, reindex=reindex_entities, shown_in=of_entity)


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


@transacted
def create_entity(connection: Connection, actor: Actor, body: EntityCreate) -> Current[EntityPublic]:
    """Add an entity; 409 if its slug, name or an alias is taken."""
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
    return ENTITIES.created(connection, actor, body.slug)


def _patching(changes: dict[str, Any]) -> edits.Change[EntityPublic]:
    """The change a patch makes: its fields, and its aliases in place of the old ones."""

    def change(connection: Connection, before: Current[EntityPublic]) -> bool:
        old = before.public
        if edits.asks_nothing_new(old, changes):
            return False
        entity_id = resolve_entity_id(connection, old.slug)
        aliases: list[str] = changes.get("aliases", old.aliases)
        _check_names(connection, old.slug, changes.get("name", old.name), aliases, entity_id)
        values: dict[str, Any] = {k: v for k, v in changes.items() if k != "aliases"}
        if "name" in values:
            values["name_key"] = lookup_key(values["name"])
        ENTITIES.bump(connection, before, values)
        if "aliases" in changes:
            _write_aliases(connection, entity_id, aliases)
        return True

    return change


def update_entity(
    database: Database, actor: Actor, key: str, if_match: str | None, body: EntityPatch
) -> Current[EntityPublic]:
    """Merge-patch an entity (found by slug, name or alias) at the revision If-Match names."""
    return ENTITIES.update(database, actor, key, if_match, _patching(body.changes()))


def delete_entity(database: Database, actor: Actor, key: str, if_match: str | None) -> None:
    """Delete an entity no claim names; 409 while claims still do."""
    ENTITIES.delete(database, actor, key, if_match, edits.unused("is named by", "/v1/entities"))
