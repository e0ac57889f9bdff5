"""Theme queries, each with the number of claims that concern it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from app.db import Database
from app.schemas.common import Page, PageMeta
from app.schemas.themes import ThemePublic
from app.services import revisioned
from app.services.errors import NotFound
from app.services.pagination import after, decode_cursor, encode_cursor
from app.services.tables import THEME
from app.services.tallies import tallied
from app.services.writes.revisions import Current

THEME_ORDER = (THEME.c.position, THEME.c.id)
_CLAIM_COUNT = tallied("theme", THEME.c.id).label("claim_count")
_COLUMNS = (THEME.c.id, THEME.c.position, THEME.c.slug, THEME.c.name, THEME.c.description, _CLAIM_COUNT)


def _public(row: Any) -> ThemePublic:
    return ThemePublic(slug=row.slug, name=row.name, description=row.description, claim_count=row.claim_count)


def list_themes(database: Database, *, limit: int, cursor: str | None = None) -> Page[ThemePublic]:
    """One page of themes in the order the source introduces them."""
    key = decode_cursor("themes", cursor, (int, int)) if cursor else None
    page = select(*_COLUMNS).order_by(*THEME_ORDER).limit(limit + 1)
    if key is not None:
        page = after(page, THEME_ORDER, key)
    with database.read() as connection:
        total = connection.execute(select(func.count()).select_from(THEME)).scalar_one()
        rows = connection.execute(page).all()
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor("themes", [rows[limit - 1].position, rows[limit - 1].id])
    data = [_public(row) for row in rows[:limit]]
    return Page[ThemePublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def resolve_theme_id(connection: Connection, slug: str) -> int:
    """The id of the theme with this slug; raises NotFound."""
    theme_id = connection.execute(select(THEME.c.id).where(THEME.c.slug == slug)).scalar_one_or_none()
    if theme_id is None:
        raise NotFound("theme", slug)
    return int(theme_id)


def theme_by_slug(connection: Connection, slug: str) -> ThemePublic | None:
    """The theme with this slug as the API answers it, or None."""
    row = connection.execute(select(*_COLUMNS).where(THEME.c.slug == slug)).one_or_none()
    return None if row is None else _public(row)


def current_theme(connection: Connection, slug: str) -> Current[ThemePublic] | None:
    """The theme with this slug, with its revision, or None."""
    return revisioned.current(connection, "theme", THEME, "slug", slug, theme_by_slug)


def read_theme(database: Database, slug: str) -> Current[ThemePublic]:
    """A theme for GET; raises Gone (410) for a deleted one, NotFound for one that never existed."""
    return revisioned.read(database, "theme", slug, current_theme)


def every_theme(connection: Connection) -> list[ThemePublic]:
    """Every theme as the API answers it, in the source's order (for a snapshot)."""
    return [_public(row) for row in connection.execute(select(*_COLUMNS).order_by(*THEME_ORDER))]
