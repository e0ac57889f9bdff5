"""What an entity's claims relate it to: the other entities they name and the themes they carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select

from app.db import Database
from app.schemas.claims import EntityRef
from app.schemas.relations import EntityRelations, RelatedEntity, RelatedTheme
from app.services.claim_plans import CLAIM_ORDER
from app.services.entities import resolve_entity_id
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, ENTITY, THEME


@dataclass
class _Link:
    name: str
    type: Any = None
    claim_ids: list[str] = field(default_factory=list)


def _links(rows: Iterable[Any]) -> dict[str, _Link]:
    """Rows (slug, name, claim_id and, for entities, type) in document order, gathered per slug."""
    links: dict[str, _Link] = {}
    for row in rows:
        link = links.setdefault(row.slug, _Link(name=row.name, type=row._mapping.get("type")))
        link.claim_ids.append(row.claim_id)
    return links


def _by_count(links: dict[str, _Link]) -> list[tuple[str, _Link]]:
    return sorted(links.items(), key=lambda item: (-len(item[1].claim_ids), item[1].name, item[0]))


def related(database: Database, key: str) -> EntityRelations:
    """The entities named alongside this one (by slug, name or alias) and its claims' themes.

    Four queries, whatever the number of claims; raises NotFound.
    """
    other = CLAIM_ENTITY.alias("other")
    with database.read() as connection:
        entity_id = resolve_entity_id(connection, key)
        entity = connection.execute(
            select(ENTITY.c.slug, ENTITY.c.name, ENTITY.c.type).where(ENTITY.c.id == entity_id)
        ).one()
        entities = _links(
            connection.execute(
                select(ENTITY.c.slug, ENTITY.c.name, ENTITY.c.type, CLAIM.c.id.label("claim_id"))
                .select_from(
                    CLAIM_ENTITY.join(
                        other,
                        and_(
                            other.c.claim_id == CLAIM_ENTITY.c.claim_id,
                            other.c.entity_id != CLAIM_ENTITY.c.entity_id,
                        ),
                    )
                    .join(ENTITY, ENTITY.c.id == other.c.entity_id)
                    .join(CLAIM, CLAIM.c.id == CLAIM_ENTITY.c.claim_id)
                )
                .where(CLAIM_ENTITY.c.entity_id == entity_id)
                .order_by(*CLAIM_ORDER, ENTITY.c.id)
            )
        )
        themes = _links(
            connection.execute(
                select(THEME.c.slug, THEME.c.name, CLAIM.c.id.label("claim_id"))
                .select_from(
                    CLAIM_ENTITY.join(CLAIM_THEME, CLAIM_THEME.c.claim_id == CLAIM_ENTITY.c.claim_id)
                    .join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
                    .join(CLAIM, CLAIM.c.id == CLAIM_ENTITY.c.claim_id)
                )
                .where(CLAIM_ENTITY.c.entity_id == entity_id)
                .order_by(*CLAIM_ORDER, THEME.c.id)
            )
        )
    return EntityRelations(
        entity=EntityRef(slug=entity.slug, name=entity.name, type=entity.type),
        entities=[
            RelatedEntity(
                slug=slug, name=link.name, type=link.type, count=len(link.claim_ids), claim_ids=link.claim_ids
            )
            for slug, link in _by_count(entities)
        ],
        themes=[
            RelatedTheme(slug=slug, name=link.name, count=len(link.claim_ids), claim_ids=link.claim_ids)
            for slug, link in _by_count(themes)
        ],
    )
