"""Creating, editing and deleting themes; a theme still on claims is never deleted."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from app.db import Database
from app.schemas.themes import ThemePublic
from app.schemas.writes import ThemeCreate, ThemePatch
from app.services.claim_bodies import of_theme
from app.services.search.index import reindex_themes
from app.services.tables import THEME
from app.services.themes import current_theme
from app.services.writes import edits
from app.services.writes.errors import Conflict
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor, transacted

# A theme's claims show its name.
THEMES = edits.Editable("theme", THEME, "slug", find=current_theme, reindex=reindex_themes, shown_in=of_theme)


@transacted
def create_theme(connection: Connection, actor: Actor, body: ThemeCreate) -> Current[ThemePublic]:
    """Add a theme, listed last; 409 if the slug is taken."""
    if current_theme(connection, body.slug) is not None:
        raise Conflict(f"A theme {body.slug!r} already exists.")
    position = connection.execute(select(func.coalesce(func.max(THEME.c.position), -1) + 1)).scalar_one()
    connection.execute(
        insert(THEME).values(slug=body.slug, name=body.name, description=body.description, position=position)
    )
    return THEMES.created(connection, actor, body.slug)


def update_theme(
    database: Database, actor: Actor, slug: str, if_match: str | None, body: ThemePatch
) -> Current[ThemePublic]:
    """Merge-patch a theme at the revision If-Match names."""
    return THEMES.update(database, actor, slug, if_match, THEMES.assigning(body.changes()))


def delete_theme(database: Database, actor: Actor, slug: str, if_match: str | None) -> None:
    """Delete a theme no claim carries; 409 while claims still do."""
    THEMES.delete(database, actor, slug, if_match, edits.unused("is on", "/v1/themes"))
