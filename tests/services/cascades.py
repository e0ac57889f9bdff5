"""Deletes that cascade to claims' links, for tests of what the triggers keep."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete, select

from app.db import Database
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, DOCUMENT, ENTITY, THEME


def delete_a_theme_an_entity_and_a_document(database: Database) -> Iterator[str]:
    """Delete a linked theme, then a linked entity, then a document with claims, each in its own write;
    yield each table's name once its delete has committed."""
    with database.read() as connection:
        theme = connection.execute(select(CLAIM_THEME.c.theme_id).limit(1)).scalar_one()
        entity = connection.execute(select(CLAIM_ENTITY.c.entity_id).limit(1)).scalar_one()
        document = connection.execute(select(CLAIM.c.document_id).limit(1)).scalar_one()
    for table, condition in (
        (THEME, THEME.c.id == theme),
        (ENTITY, ENTITY.c.id == entity),
        (DOCUMENT, DOCUMENT.c.id == document),
    ):
        with database.write() as connection:
            connection.execute(delete(table).where(condition))
        yield table.name
