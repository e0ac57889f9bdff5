"""Creating, editing and deleting themes; a theme still on claims is never deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from app.db import Database
from app.schemas.themes import ThemePublic
from app.schemas.writes import ThemeCreate, ThemePatch
from app.services import revisioned
from app.services.search.index import reindex_themes
from app.services.tables import THEME
from app.services.themes import current_theme
from app.services.writes.errors import Conflict
from app.services.writes.history import record
from app.services.writes.revisions import Current, bump, check_if_match, require_if_match
from app.services.writes.transaction import Actor, Unchanged, writing


def create_theme_on(connection: Connection, actor: Actor, body: ThemeCreate) -> Current[ThemePublic]:
    """Insert a theme, listed last, inside an open write transaction; 409 if the slug is taken."""
    if current_theme(connection, body.slug) is not None:
        raise Conflict(f"A theme {body.slug!r} already exists.")
    position = connection.execute(select(func.coalesce(func.max(THEME.c.position), -1) + 1)).scalar_one()
    connection.execute(
        insert(THEME).values(slug=body.slug, name=body.name, description=body.description, position=position)
    )
    after = current_theme(connection, body.slug)
    assert after is not None
    record(connection, actor, "create", None, after)
    reindex_themes(connection, [body.slug])
    return after


def create_theme(database: Database, actor: Actor, body: ThemeCreate) -> Current[ThemePublic]:
    """Add a theme."""
    with writing(database) as connection:
        return create_theme_on(connection, actor, body)


def _load(connection: Connection, slug: str, if_match: str) -> Current[ThemePublic]:
    before = current_theme(connection, slug)
    if before is None:
        raise revisioned.missing(connection, "theme", slug)
    check_if_match(if_match, before)
    return before


def update_theme(
    database: Database, actor: Actor, slug: str, if_match: str | None, body: ThemePatch
) -> Current[ThemePublic]:
    """Merge-patch a theme at the revision If-Match names."""
    if_match = require_if_match(if_match)
    try:
        with writing(database) as connection:
            before = _load(connection, slug, if_match)
            values: dict[str, Any] = body.changes()
            if all(getattr(before.public, name) == value for name, value in values.items()):
                raise Unchanged(before)
            bump(connection, THEME, THEME.c.slug == slug, before, values)
            after = current_theme(connection, slug)
            assert after is not None
            record(connection, actor, "update", before, after)
            reindex_themes(connection, [slug])
            return after
    except Unchanged as unchanged:
        kept: Current[ThemePublic] = unchanged.current
        return kept


def delete_theme(database: Database, actor: Actor, slug: str, if_match: str | None) -> None:
    """Delete a theme no claim carries; 409 while claims still do."""
    if_match = require_if_match(if_match)
    with writing(database) as connection:
        before = _load(connection, slug, if_match)
        if before.public.claim_count:
            raise Conflict(
                f"The theme {slug!r} is on {before.public.claim_count} claim(s); take it off them first "
                f"(GET /v1/themes/{slug}/claims lists them).",
                claim_count=before.public.claim_count,
            )
        connection.execute(delete(THEME).where(THEME.c.slug == slug, THEME.c.revision == before.revision))
        record(connection, actor, "delete", before, None)
        reindex_themes(connection, [slug])
