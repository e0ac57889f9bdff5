"""Each claim's stored answer (SQLite's claim_body, migration 0009) stays the answer its rows give, after
every kind of write, cascade and migration: checked against the claim read back column by column."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, delete, func, insert, select, text, update

from app.db import Database
from app.models.entity import ENTITY_TYPES
from app.schemas.claims import ClaimPublic
from app.services import migrations
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, CONTEXT_NOTE, ENTITY, THEME
from seed.loader import load_seed
from tests.databases import engine_under_test
from tests.services.cascades import delete_a_theme_an_entity_and_a_document

pytestmark = pytest.mark.skipif(engine_under_test() != "sqlite", reason="claim_body is SQLite's")


def _built(connection: Connection, claim_id: str) -> dict[str, Any]:
    """The claim's answer built from its rows, each list read on its own in the documented order."""
    claim = connection.execute(select(CLAIM).where(CLAIM.c.id == claim_id)).one()
    themes = connection.execute(
        select(THEME.c.slug, THEME.c.name)
        .join(CLAIM_THEME, CLAIM_THEME.c.theme_id == THEME.c.id)
        .where(CLAIM_THEME.c.claim_id == claim_id)
        .order_by(THEME.c.position, THEME.c.id)
    )
    entities = connection.execute(
        select(ENTITY.c.slug, ENTITY.c.name, ENTITY.c.type)
        .join(CLAIM_ENTITY, CLAIM_ENTITY.c.entity_id == ENTITY.c.id)
        .where(CLAIM_ENTITY.c.claim_id == claim_id)
        .order_by(ENTITY.c.name_key, ENTITY.c.id)
    )
    notes = connection.execute(
        select(CONTEXT_NOTE.c.note, CONTEXT_NOTE.c.sources)
        .where(CONTEXT_NOTE.c.claim_id == claim_id)
        .order_by(CONTEXT_NOTE.c.position, CONTEXT_NOTE.c.id)
    )
    return {
        "id": claim.id,
        "statement": claim.statement,
        "quote": claim.quote,
        "kind": claim.kind,
        "document_id": claim.document_id,
        "span": {"start": claim.span_start, "end": claim.span_end},
        "themes": [{"slug": slug, "name": name} for slug, name in themes],
        "entities": [{"slug": slug, "name": name, "type": kind} for slug, name, kind in entities],
        "context": [{"note": note, "sources": sources} for note, sources in notes],
    }


def _stale(database: Database) -> list[str]:
    """Ids of claims whose stored answer is missing, extra, or not the one their rows give."""
    with database.read() as connection:
        rows = connection.execute(text("SELECT claim_id, body FROM claim_body"))
        stored: dict[str, str] = {str(claim_id): str(body) for claim_id, body in rows}
        ids = list(connection.execute(select(CLAIM.c.id)).scalars())
        wrong = [
            claim_id
            for claim_id in ids
            if orjson.loads(stored.get(claim_id, "null")) != _built(connection, claim_id)
        ]
    return wrong + sorted(set(stored) - set(ids))


@pytest.fixture
def seeded(migrated_database: Database) -> Database:
    load_seed(migrated_database)
    return migrated_database


def _ids(connection: Connection) -> tuple[list[str], int, int]:
    """Claims with themes, entities and notes (most first), the last theme's id and the first entity's."""
    noted = select(CONTEXT_NOTE.c.claim_id)
    claims = connection.execute(
        select(CLAIM.c.id)
        .where(
            CLAIM.c.id.in_(select(CLAIM_THEME.c.claim_id)), CLAIM.c.id.in_(select(CLAIM_ENTITY.c.claim_id))
        )
        .order_by(CLAIM.c.id.in_(noted).desc(), CLAIM.c.id)
    ).scalars()
    last_theme = connection.execute(select(func.max(THEME.c.id))).scalar_one()
    first_entity = connection.execute(select(func.min(ENTITY.c.id))).scalar_one()
    return list(claims), last_theme, first_entity


def test_the_stored_answers_are_the_claims_as_the_api_shapes_them(seeded: Database) -> None:
    assert _stale(seeded) == []
    with seeded.read() as connection:
        (body,) = connection.execute(text("SELECT body FROM claim_body LIMIT 1")).one()
    assert list(orjson.loads(body)) == list(ClaimPublic.model_fields)  # the schema's key order


def test_the_stored_answers_follow_every_write_to_a_claim_its_links_and_its_notes(seeded: Database) -> None:
    with seeded.read() as connection:
        (first, second, third, fourth, fifth, *_), last_theme, some_entity = _ids(connection)
        note = connection.execute(select(CONTEXT_NOTE.c.id, CONTEXT_NOTE.c.claim_id)).first()
        assert note is not None
    with seeded.write() as connection:
        connection.execute(delete(CLAIM).where(CLAIM.c.id == first))  # cascades to its links and notes
        connection.execute(
            update(CLAIM).where(CLAIM.c.id == second).values(kind="prediction", statement="Now.")
        )
        connection.execute(update(CLAIM).where(CLAIM.c.id == fifth).values(span_end=CLAIM.c.span_end + 1))
        # One of the claim's themes becomes one it did not have.
        relinked = connection.execute(
            select(CLAIM_THEME.c.theme_id).where(CLAIM_THEME.c.claim_id == third)
        ).first()
        other = connection.execute(
            select(THEME.c.id).where(
                THEME.c.id.not_in(select(CLAIM_THEME.c.theme_id).where(CLAIM_THEME.c.claim_id == third))
            )
        ).first()
        assert relinked is not None
        assert other is not None
        connection.execute(
            update(CLAIM_THEME)
            .where(CLAIM_THEME.c.claim_id == third, CLAIM_THEME.c.theme_id == relinked.theme_id)
            .values(theme_id=other.id)
        )
        connection.execute(delete(CLAIM_ENTITY).where(CLAIM_ENTITY.c.claim_id == second))
        connection.execute(insert(CLAIM_ENTITY).values(claim_id=second, entity_id=some_entity))
        connection.execute(delete(CLAIM_THEME).where(CLAIM_THEME.c.claim_id == fourth))
        # A statement's own conflict clause overrides a trigger's: the answer must follow all the same.
        connection.execute(
            text("INSERT OR IGNORE INTO claim_theme (claim_id, theme_id) VALUES (:claim, :theme)"),
            {"claim": fourth, "theme": last_theme},
        )
        connection.execute(
            insert(CONTEXT_NOTE).values(claim_id=fifth, position=-1, note="First now.", sources=[])
        )
        connection.execute(
            update(CONTEXT_NOTE)
            .where(CONTEXT_NOTE.c.id == note.id)
            .values(note="Edited.", sources=[{"title": "A source", "url": "https://example.org/a"}])
        )
        connection.execute(update(CONTEXT_NOTE).where(CONTEXT_NOTE.c.claim_id == third).values(position=0))
        connection.execute(
            delete(CONTEXT_NOTE).where(CONTEXT_NOTE.c.claim_id == fifth, CONTEXT_NOTE.c.position >= 0)
        )
    assert _stale(seeded) == []


def test_the_stored_answers_follow_renamed_and_reordered_themes_and_entities(seeded: Database) -> None:
    with seeded.read() as connection:
        theme, entity = connection.execute(
            select(CLAIM_THEME.c.theme_id, CLAIM_ENTITY.c.entity_id).join(
                CLAIM_ENTITY, CLAIM_ENTITY.c.claim_id == CLAIM_THEME.c.claim_id
            )
        ).first() or pytest.fail("the seed links a claim to a theme and an entity")
    with seeded.write() as connection:
        connection.execute(update(THEME).where(THEME.c.id == theme).values(name="Renamed", slug="renamed"))
        connection.execute(update(THEME).where(THEME.c.id == theme).values(position=THEME.c.position + 1000))
        connection.execute(
            update(ENTITY)
            .where(ENTITY.c.id == entity)
            .values(name="Aaa first", name_key="aaa first", type=ENTITY_TYPES[-1])
        )
    assert _stale(seeded) == []


def test_the_stored_answers_follow_cascades_from_themes_entities_and_documents(seeded: Database) -> None:
    for table in delete_a_theme_an_entity_and_a_document(seeded):
        assert _stale(seeded) == [], table


def test_the_migration_stores_the_answers_of_the_claims_already_there(seeded: Database) -> None:
    migrations.downgrade(seeded, "0008")
    migrations.upgrade(seeded)
    with seeded.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM claim_body")).scalar_one() > 0
    assert _stale(seeded) == []
