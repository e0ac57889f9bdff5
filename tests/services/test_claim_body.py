"""Each claim's stored answer (claim_body, app.services.claim_bodies) stays the answer its rows give,
after every kind of write through the service, cascade, migration and copy: checked against the claim
read back column by column."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, func, select, text, update

from app.db import Database
from app.models.entity import ENTITY_TYPES
from app.schemas.claims import RELATION_READINGS, ClaimPublic
from app.schemas.writes import ClaimPatch, EntityPatch, NoteCreate, NotePatch, SourceWrite, ThemePatch
from app.services import migrations
from app.services.claim_bodies import refresh_claim_bodies
from app.services.claims import current_claim
from app.services.entities import current_entity
from app.services.notes import current_note
from app.services.tables import (
    CLAIM,
    CLAIM_ENTITY,
    CLAIM_QUANTITY,
    CLAIM_RELATION,
    CLAIM_THEME,
    CONTEXT_NOTE,
    DOCUMENT,
    DOCUMENT_VERSION,
    ENTITY,
    THEME,
)
from app.services.themes import current_theme
from app.services.writes import claims as claim_writes
from app.services.writes import entities as entity_writes
from app.services.writes import notes as note_writes
from app.services.writes import themes as theme_writes
from app.services.writes.transaction import Actor
from seed.loader import load_seed
from tests.conftest import statements_on
from tests.databases import engine_under_test
from tests.services.cascades import delete_a_theme_an_entity_and_a_document

ACTOR = Actor(key_id=None, key_name="test")


def _source(connection: Connection, document_id: str) -> dict[str, Any]:
    document = connection.execute(select(DOCUMENT).where(DOCUMENT.c.id == document_id)).one()
    return {
        "document_id": document.id,
        "title": document.title,
        "publisher": document.publisher,
        "url": document.url,
        "published_date": document.published_date,
        "published_precision": _precision(document.published_date),
        "retrieved_date": document.retrieved_date.isoformat() if document.retrieved_date else None,
        "retrieved_precision": "day" if document.retrieved_date else None,
        "text_held": document.text is not None,
    }


def _precision(date: str | None) -> str | None:
    return None if date is None else {4: "year", 7: "month", 10: "day"}[len(date)]


def _quantities(connection: Connection, claim_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(CLAIM_QUANTITY)
        .where(CLAIM_QUANTITY.c.claim_id == claim_id)
        .order_by(CLAIM_QUANTITY.c.position)
    )
    names = ("amount", "unit", "scale", "period", "lower", "upper")
    return [
        {name: getattr(row, name) for name in names}
        | {"approximate": bool(row.approximate), "span": {"start": row.span_start, "end": row.span_end}}
        | {"text": row.text}
        for row in rows
    ]


READING = {"supports": "supported_by", "contradicts": "contradicted_by", "qualifies": "qualified_by"}
READING |= {"same-as": "same_as", "part-of": "has_part"}


def _relations(connection: Connection, claim_id: str) -> list[dict[str, Any]]:
    """The claim's relations, each read on its own, by reading, then the other claim's order key."""
    links = []
    for relation in connection.execute(
        select(CLAIM_RELATION).where(
            (CLAIM_RELATION.c.subject_id == claim_id) | (CLAIM_RELATION.c.object_id == claim_id)
        )
    ):
        mine = relation.subject_id == claim_id
        other = connection.execute(
            select(CLAIM).where(CLAIM.c.id == (relation.object_id if mine else relation.subject_id))
        ).one()
        reading = relation.type.replace("-", "_") if mine else READING[relation.type]
        order = (
            RELATION_READINGS.index(reading),
            other.document_id,
            other.span_start,
            other.span_end,
            other.id,
        )
        links.append(
            (
                (*order, relation.id),
                {
                    "relation_id": relation.id,
                    "relation": reading,
                    "type": relation.type,
                    "note": relation.note,
                    "claim": {
                        "id": other.id,
                        "statement": other.statement,
                        "basis": "quote" if other.quote is not None else "paraphrase",
                        "quote": other.quote,
                        "kind": other.kind,
                        "source": _source(connection, other.document_id),
                    },
                },
            )
        )
    return [link for _, link in sorted(links)]


def _corroboration(source: dict[str, Any], relations: list[dict[str, Any]]) -> dict[str, int]:
    def origin(of: dict[str, Any]) -> str:
        return " ".join(of["publisher"].split()).casefold() if of["publisher"] else of["document_id"]

    fields = {"supported_by": "supporting_sources", "contradicted_by": "contradicting_sources"}
    fields["qualified_by"] = "qualifying_sources"
    found: dict[str, set[str]] = {field: set() for field in fields.values()}
    for link in relations:
        other = link["claim"]["source"]
        other_document = other["document_id"] != source["document_id"]
        if link["relation"] in fields and other_document and origin(other) != origin(source):
            found[fields[link["relation"]]].add(origin(other))
    return {field: len(origins) for field, origins in found.items()}


def _anchor(connection: Connection, claim: Any) -> dict[str, Any] | None:
    """A quoted claim's selectors, read from the text of the version it is anchored in."""
    if claim.quote is None:
        return None
    version = connection.execute(
        select(DOCUMENT_VERSION.c.text).where(
            DOCUMENT_VERSION.c.document_id == claim.document_id,
            DOCUMENT_VERSION.c.version == claim.anchor_version,
        )
    ).scalar_one()
    start, end = claim.span_start, claim.span_end
    return {
        "document_version": claim.anchor_version,
        "status": "orphaned" if claim.orphaned else "anchored",
        "position": {"type": "TextPositionSelector", "start": start, "end": end},
        "quote": {
            "type": "TextQuoteSelector",
            "exact": version[start:end],
            "prefix": version[max(0, start - 32) : start],
            "suffix": version[end : end + 32],
        },
    }


def _built(connection: Connection, claim_id: str) -> dict[str, Any]:
    """The claim's answer built from its rows, each list read on its own in the documented order."""
    claim = connection.execute(select(CLAIM).where(CLAIM.c.id == claim_id)).one()
    source = _source(connection, claim.document_id)
    relations = _relations(connection, claim_id)
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
        "basis": "quote" if claim.quote is not None else "paraphrase",
        "quote": claim.quote,
        "kind": claim.kind,
        "document_id": claim.document_id,
        "span": {"start": claim.span_start, "end": claim.span_end} if claim.quote is not None else None,
        "anchor": _anchor(connection, claim),
        "source": source,
        "themes": [{"slug": slug, "name": name} for slug, name in themes],
        "entities": [{"slug": slug, "name": name, "type": kind} for slug, name, kind in entities],
        "context": [{"note": note, "sources": sources} for note, sources in notes],
        "relations": relations,
        "corroboration": _corroboration(source, relations),
        "validity": {
            "valid_from": claim.valid_from,
            "valid_from_precision": _precision(claim.valid_from),
            "valid_to": claim.valid_to,
            "valid_to_precision": _precision(claim.valid_to),
        },
        "quantities": _quantities(connection, claim_id),
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


def _etag(database: Database, kind: str, key: Any) -> str:
    """The ETag a write's If-Match must name for the resource as it stands."""
    with database.read() as connection:
        finders: dict[str, Any] = {
            "claim": current_claim,
            "theme": current_theme,
            "entity": current_entity,
            "note": current_note,
        }
        found = finders[kind](connection, key)
    assert found is not None
    etag: str = found.etag
    return etag


def test_the_stored_answers_follow_every_write_to_a_claim_its_links_and_its_notes(seeded: Database) -> None:
    with seeded.read() as connection:
        (first, second, third, *_), last_theme, some_entity = _ids(connection)
        theme_slug = connection.execute(select(THEME.c.slug).where(THEME.c.id == last_theme)).scalar_one()
        entity_slug = connection.execute(select(ENTITY.c.slug).where(ENTITY.c.id == some_entity)).scalar_one()
        note_id = (
            connection.execute(
                select(CONTEXT_NOTE.c.id).where(CONTEXT_NOTE.c.claim_id != first).order_by(CONTEXT_NOTE.c.id)
            )
            .scalars()
            .first()
        )
    assert note_id is not None
    claim_writes.delete_claim(seeded, ACTOR, first, _etag(seeded, "claim", first))
    patch = ClaimPatch(statement="Now.", kind="prediction", themes=[theme_slug], entities=[entity_slug])
    claim_writes.update_claim(seeded, ACTOR, second, _etag(seeded, "claim", second), patch)
    source = SourceWrite(title="A source", url="https://example.org/a")
    note_writes.create_note(seeded, ACTOR, third, NoteCreate(note="Added.", sources=[source]))
    note_writes.update_note(
        seeded, ACTOR, note_id, _etag(seeded, "note", note_id), NotePatch(note="Edited.", sources=[source])
    )
    assert _stale(seeded) == []
    with seeded.read() as connection:
        noted = connection.execute(
            select(CONTEXT_NOTE.c.id).where(CONTEXT_NOTE.c.claim_id == third)
        ).scalars()
        last_note = list(noted)[-1]
    note_writes.delete_note(seeded, ACTOR, last_note, _etag(seeded, "note", last_note))
    assert _stale(seeded) == []


def test_the_stored_answers_follow_renamed_themes_and_entities(seeded: Database) -> None:
    with seeded.read() as connection:
        theme, entity = connection.execute(
            select(THEME.c.slug, CLAIM_ENTITY.c.entity_id)
            .join(CLAIM_THEME, CLAIM_THEME.c.theme_id == THEME.c.id)
            .join(CLAIM_ENTITY, CLAIM_ENTITY.c.claim_id == CLAIM_THEME.c.claim_id)
        ).first() or pytest.fail("the seed links a claim to a theme and an entity")
        entity_slug = connection.execute(select(ENTITY.c.slug).where(ENTITY.c.id == entity)).scalar_one()
    theme_writes.update_theme(seeded, ACTOR, theme, _etag(seeded, "theme", theme), ThemePatch(name="Renamed"))
    patch = EntityPatch(name="Aaa first", type=ENTITY_TYPES[-1])
    entity_writes.update_entity(seeded, ACTOR, entity_slug, _etag(seeded, "entity", entity), patch)
    assert _stale(seeded) == []


def test_a_refresh_follows_rows_written_past_the_service(seeded: Database) -> None:
    with seeded.write() as connection:
        connection.execute(update(THEME).values(position=-THEME.c.position, name=THEME.c.name + " (moved)"))
        connection.execute(update(ENTITY).values(name_key="~" + ENTITY.c.name_key))
    assert _stale(seeded) != []
    with seeded.write() as connection:
        refresh_claim_bodies(connection, select(CLAIM_THEME.c.claim_id))
        refresh_claim_bodies(connection, select(CLAIM_ENTITY.c.claim_id))
    assert _stale(seeded) == []


def test_a_deleted_claims_answer_goes_with_it_whatever_deleted_it(seeded: Database) -> None:
    for table in delete_a_theme_an_entity_and_a_document(seeded):
        with seeded.read() as connection:
            orphans = connection.execute(
                text(
                    "SELECT count(*) FROM claim_body b "
                    "WHERE NOT EXISTS (SELECT 1 FROM claim c WHERE c.id = b.claim_id)"
                )
            ).scalar_one()
        assert orphans == 0, table


@pytest.mark.skipif(engine_under_test() != "sqlite", reason="0009 made the answers on SQLite alone")
def test_the_answers_0009_made_are_kept_by_the_upgrade(seeded: Database) -> None:
    migrations.downgrade(seeded, "0008")
    migrations.upgrade(seeded, "0010")
    with seeded.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM claim_body")).scalar_one() > 0
    migrations.upgrade(seeded)
    assert _stale(seeded) == []


def test_the_migrate_step_rebuilds_missing_or_stale_answers(seeded: Database) -> None:
    migrations.downgrade(seeded, "0010")
    migrations.upgrade(seeded)
    assert _stale(seeded) == []
    with seeded.write() as connection:
        # As if the schema had changed: every stored answer differs from what it serialises today.
        connection.execute(text("UPDATE claim_body SET body = '{}'"))
    migrations.upgrade(seeded)
    assert _stale(seeded) == []


def test_an_edit_starts_from_the_claims_stored_answer(seeded: Database) -> None:
    with seeded.read() as connection:
        # Claims related to none: a write also refreshes the stored answers of related claims.
        related = select(CLAIM_RELATION.c.subject_id).union(select(CLAIM_RELATION.c.object_id))
        related_ids = set(connection.execute(related).scalars())
        first, second, *_ = [claim for claim in _ids(connection)[0] if claim not in related_ids]
        before = current_claim(connection, second)
    assert before is not None
    with statements_on(seeded.write_engine) as log:
        claim_writes.update_claim(seeded, ACTOR, second, before.etag, ClaimPatch(statement="Edited."))
        claim_writes.delete_claim(seeded, ACTOR, first, _etag(seeded, "claim", first))
    # Loaded from the stored answer in one statement; its parts (notes, figures) are not read one by one.
    parts_read = [
        s for s in log.statements if s.lstrip().upper().startswith("SELECT") and "context_note" in s
    ]
    assert parts_read == []
    with seeded.read() as connection:
        after = current_claim(connection, second)
    assert after is not None
    assert after.public == before.public.model_copy(update={"statement": "Edited."})
    assert after.revision == before.revision + 1
    assert _stale(seeded) == []
