"""The change log read for push: changes after a cursor, each with the themes and entities it concerns,
and the filters (resource type, entity, theme) a stream or a webhook picks them with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from app.models import RESOURCE_TYPES
from app.schemas.history import ChangePublic
from app.services.entities import entity_ids_by_key
from app.services.errors import UnknownFilterValues
from app.services.tables import CHANGE, CLAIM_ENTITY, CLAIM_THEME, ENTITY, THEME
from app.services.writes.history import PUBLIC_COLUMNS, after_change

# Changes read from the log at once.
BATCH = 100


@dataclass(frozen=True)
class FeedChange:
    """One change of the log, its public JSON serialised once, and the themes and entities it concerns."""

    change: ChangePublic
    body: bytes
    themes: frozenset[str]
    entities: frozenset[str]

    @property
    def id(self) -> int:
        """The change's id: its place in the log."""
        return self.change.id


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes a client wants: each filter given is a set of values (OR), filters are AND'ed.

    A change concerns a theme or an entity when it is that theme or entity, or a claim that names it
    before or after the change, or a context note on such a claim (by the claim's links now).
    """

    types: frozenset[str] = field(default_factory=frozenset)
    entities: frozenset[str] = field(default_factory=frozenset)
    themes: frozenset[str] = field(default_factory=frozenset)

    def matches(self, change: FeedChange) -> bool:
        """Whether `change` passes every filter given."""
        if self.types and change.change.type not in self.types:
            return False
        if self.entities and not self.entities & change.entities:
            return False
        return not (self.themes and not self.themes & change.themes)


def resolve_filter(
    connection: Connection, types: Iterable[str], entities: Iterable[str], themes: Iterable[str]
) -> ChangeFilter:
    """A filter from what a client sent: entity keys (slug, name or alias) become slugs; an unknown
    type, theme or entity raises UnknownFilterValues naming it."""
    types = list(types)
    if missing := [value for value in types if value not in RESOURCE_TYPES]:
        raise UnknownFilterValues("type", missing, f"Types are: {', '.join(RESOURCE_TYPES)}.")
    themes = list(themes)
    known_themes = set(connection.execute(select(THEME.c.slug).where(THEME.c.slug.in_(themes))).scalars())
    if missing := [value for value in themes if value not in known_themes]:
        raise UnknownFilterValues("theme", missing, "GET /v1/themes lists the theme slugs.")
    keys = list(entities)
    found = entity_ids_by_key(connection, keys)
    if missing := [key for key in keys if key not in found]:
        raise UnknownFilterValues("entity", missing, "GET /v1/entities lists entity slugs and aliases.")
    slugs = connection.execute(select(ENTITY.c.slug).where(ENTITY.c.id.in_(set(found.values())))).scalars()
    return ChangeFilter(types=frozenset(types), entities=frozenset(slugs), themes=frozenset(themes))


def last_change_id(connection: Connection) -> int:
    """The id of the newest change in the log (0 when it is empty)."""
    newest: int | None = connection.execute(select(func.max(CHANGE.c.id))).scalar_one()
    return newest or 0


def first_change_at(connection: Connection, since: Any) -> int:
    """The cursor just before the first change at or after the date-time `since`."""
    first: int | None = connection.execute(select(func.min(CHANGE.c.id)).where(CHANGE.c.at >= since)).scalar()
    return first - 1 if first is not None else last_change_id(connection)


def _slugs(resource: dict[str, Any] | None, name: str) -> set[str]:
    if not resource:
        return set()
    return {item["slug"] for item in resource.get(name) or () if isinstance(item, dict) and "slug" in item}


def _claim_links(connection: Connection, claim_ids: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """The themes and entities each claim is linked to now."""
    links: dict[str, tuple[set[str], set[str]]] = {claim_id: (set(), set()) for claim_id in claim_ids}
    if not claim_ids:
        return links
    themes = select(CLAIM_THEME.c.claim_id, THEME.c.slug).join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
    for claim_id, slug in connection.execute(themes.where(CLAIM_THEME.c.claim_id.in_(claim_ids))):
        links[claim_id][0].add(slug)
    entities = select(CLAIM_ENTITY.c.claim_id, ENTITY.c.slug).join(
        ENTITY, ENTITY.c.id == CLAIM_ENTITY.c.entity_id
    )
    for claim_id, slug in connection.execute(entities.where(CLAIM_ENTITY.c.claim_id.in_(claim_ids))):
        links[claim_id][1].add(slug)
    return links


def changes_after(connection: Connection, after_id: int, *, limit: int = BATCH) -> list[FeedChange]:
    """The changes after change `after_id`, oldest first, at most `limit`."""
    rows = connection.execute(
        select(*PUBLIC_COLUMNS, CHANGE.c.claim_id)
        .where(after_change(after_id))
        .order_by(CHANGE.c.id)
        .limit(limit)
    ).all()
    notes_of = {row.claim_id for row in rows if row.type == "note" and row.claim_id is not None}
    links = _claim_links(connection, notes_of)
    feed = []
    for row in rows:
        mapping = dict(row._mapping)
        claim_id = mapping.pop("claim_id")
        change = ChangePublic(**mapping)
        themes, entities = set(), set()
        if change.type == "claim":
            for resource in (change.before, change.after):
                themes |= _slugs(resource, "themes")
                entities |= _slugs(resource, "entities")
        elif change.type == "theme":
            themes.add(change.resource_id)
        elif change.type == "entity":
            entities.add(change.resource_id)
        elif change.type == "note" and claim_id in links:
            themes, entities = links[claim_id]
        body = change.__pydantic_serializer__.to_json(change)
        feed.append(FeedChange(change, body, frozenset(themes), frozenset(entities)))
    return feed
