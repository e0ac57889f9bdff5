"""GET /v1/autocomplete: entities and themes whose name, slug or alias starts with what was typed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, func, literal, or_, select, union_all

from app.db import Database
from app.schemas.search import Suggestion
from app.services.keys import like_prefix, lookup_key
from app.services.tables import CLAIM_ENTITY, CLAIM_THEME, ENTITY, ENTITY_ALIAS, THEME


def _starts(column: Any, pattern: str, word_pattern: str) -> Any:
    # The whole name, or any word in it ("tech" finds "International tech giants").
    return or_(column.like(pattern, escape="\\"), column.like(word_pattern, escape="\\"))


def _candidates(pattern: str, word_pattern: str) -> CompoundSelect[Any]:
    entity_count = select(func.count()).where(CLAIM_ENTITY.c.entity_id == ENTITY.c.id).scalar_subquery()
    theme_count = select(func.count()).where(CLAIM_THEME.c.theme_id == THEME.c.id).scalar_subquery()
    by_name = select(
        literal("entity").label("type"),
        ENTITY.c.slug,
        ENTITY.c.name,
        ENTITY.c.name.label("matched"),
        ENTITY.c.type.label("entity_type"),
        entity_count.label("claim_count"),
        literal(0).label("rank"),
    ).where(or_(_starts(ENTITY.c.name_key, pattern, word_pattern), ENTITY.c.slug.like(pattern, escape="\\")))
    by_alias = (
        select(
            literal("entity"),
            ENTITY.c.slug,
            ENTITY.c.name,
            ENTITY_ALIAS.c.alias,
            ENTITY.c.type,
            entity_count,
            literal(1),
        )
        .join_from(ENTITY_ALIAS, ENTITY, ENTITY.c.id == ENTITY_ALIAS.c.entity_id)
        .where(_starts(ENTITY_ALIAS.c.alias_key, pattern, word_pattern))
    )
    themes = select(
        literal("theme"),
        THEME.c.slug,
        THEME.c.name,
        THEME.c.name,
        literal(None),
        theme_count,
        literal(0),
    ).where(
        or_(_starts(func.lower(THEME.c.name), pattern, word_pattern), THEME.c.slug.like(pattern, escape="\\"))
    )
    return union_all(by_name, by_alias, themes)


def suggest(database: Database, text: str, *, limit: int) -> list[Suggestion]:
    """Up to `limit` suggestions, most-cited first; each entity or theme once, by its best-matching name."""
    prefix = lookup_key(text)
    if not prefix:
        return []
    candidates = _candidates(like_prefix(prefix), "% " + like_prefix(prefix)).subquery()
    query = select(candidates).order_by(
        candidates.c.claim_count.desc(), candidates.c.rank, candidates.c.name, candidates.c.matched
    )
    with database.read() as connection:
        rows = connection.execute(query).all()
    found: dict[tuple[str, str], Suggestion] = {}
    for row in rows:
        if (row.type, row.slug) not in found and len(found) < limit:
            found[(row.type, row.slug)] = Suggestion(
                type=row.type,
                slug=row.slug,
                name=row.name,
                matched=row.matched,
                entity_type=row.entity_type,
                claim_count=row.claim_count,
            )
    return list(found.values())
