"""A claim's stored answer (app.services.claim_rows.claims_rows): its nested lists in the order the API
documents, and, spliced into a list's body unparsed, the same answer as validated models."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, select, update

from app.db import Database
from app.schemas.claims import ClaimPageMeta
from app.services import claims
from app.services.claim_bodies import refresh_claim_bodies
from app.services.claim_filters import ClaimFilters
from app.services.claim_rows import claims_rows
from app.services.claims import claim_dicts, claim_page_meta, current_claim, rendered_claim
from app.services.pagination import meta_dict
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, CONTEXT_NOTE, ENTITY, THEME
from seed.loader import load_seed

# Every character JSON escapes, a control character with no short escape, and text beyond ASCII.
AWKWARD = 'a "quoted" back\\slash, a tab\there, a new\nline, \x01 \x1f, é, 中文, \u2028 and 🚀'


def _ordered(connection: Connection, claim_id: str) -> tuple[list[str], list[str], list[str]]:
    """The claim's theme slugs, entity slugs and notes, each read on its own in the documented order."""
    themes = connection.execute(
        select(THEME.c.slug)
        .join(CLAIM_THEME, CLAIM_THEME.c.theme_id == THEME.c.id)
        .where(CLAIM_THEME.c.claim_id == claim_id)
        .order_by(THEME.c.position, THEME.c.id)
    ).scalars()
    entities = connection.execute(
        select(ENTITY.c.slug)
        .join(CLAIM_ENTITY, CLAIM_ENTITY.c.entity_id == ENTITY.c.id)
        .where(CLAIM_ENTITY.c.claim_id == claim_id)
        .order_by(ENTITY.c.name_key, ENTITY.c.id)
    ).scalars()
    notes = connection.execute(
        select(CONTEXT_NOTE.c.note)
        .where(CONTEXT_NOTE.c.claim_id == claim_id)
        .order_by(CONTEXT_NOTE.c.position, CONTEXT_NOTE.c.id)
    ).scalars()
    return list(themes), list(entities), list(notes)


def test_nested_lists_come_in_the_documented_order(seeded_database: Database) -> None:
    with seeded_database.read() as connection:
        ids = list(connection.execute(select(CLAIM.c.id)).scalars())
        found = claim_dicts(claims_rows(connection, ids))
        expected = {claim_id: _ordered(connection, claim_id) for claim_id in ids}
    assert len(found) == len(ids)
    # The seed must exercise the order: claims with several themes, entities and notes.
    assert any(len(themes) > 1 for themes, _, _ in expected.values())
    assert any(len(entities) > 1 for _, entities, _ in expected.values())
    assert any(len(notes) > 1 for _, _, notes in expected.values())
    for claim in found:
        got = (
            [theme["slug"] for theme in claim["themes"]],
            [entity["slug"] for entity in claim["entities"]],
            [note["note"] for note in claim["context"]],
        )
        assert got == expected[claim["id"]], claim["id"]


def _both_ways(database: Database, filters: ClaimFilters) -> tuple[Any, Any]:
    body = orjson.loads(claims.list_claims_json(database, filters, limit=100))
    page = claims.list_claims(database, filters, limit=100)
    # `meta.undated_left_out` is left out of an answer while null (no `as_of`).
    return body, {"data": page.model_dump(mode="json")["data"], "meta": meta_dict(page.meta)}


def test_a_list_body_with_the_stored_answers_spliced_in_equals_the_validated_page(
    migrated_database: Database,
) -> None:
    load_seed(migrated_database)
    with migrated_database.read() as connection:
        linked = connection.execute(
            select(CLAIM_THEME.c.claim_id, CLAIM_THEME.c.theme_id).join(
                CONTEXT_NOTE, CONTEXT_NOTE.c.claim_id == CLAIM_THEME.c.claim_id
            )
        ).first()
        assert linked is not None, "the seed has a claim with a theme and a context note"
        claim_id, theme_id = linked
        slug = connection.execute(select(THEME.c.slug).where(THEME.c.id == theme_id)).scalar_one()
    with migrated_database.write() as connection:
        connection.execute(update(THEME).where(THEME.c.id == theme_id).values(name=AWKWARD))
        connection.execute(
            update(CONTEXT_NOTE).where(CONTEXT_NOTE.c.claim_id == claim_id).values(note=AWKWARD)
        )
        connection.execute(update(ENTITY).values(name=AWKWARD + " " + ENTITY.c.slug))
        refresh_claim_bodies(connection)  # the rows were written past the service
    body, page = _both_ways(migrated_database, ClaimFilters(themes=[slug]))
    assert body == page
    names = [theme["name"] for claim in body["data"] for theme in claim["themes"]]
    assert AWKWARD in names
    notes = [note["note"] for claim in body["data"] if claim["id"] == claim_id for note in claim["context"]]
    assert notes
    assert set(notes) == {AWKWARD}
    assert all(entity["name"].startswith(AWKWARD) for claim in body["data"] for entity in claim["entities"])


def test_a_claim_rendered_from_its_row_has_the_bytes_and_etag_of_the_validated_claim(
    migrated_database: Database,
) -> None:
    load_seed(migrated_database)
    with migrated_database.write() as connection:
        connection.execute(update(THEME).values(name=AWKWARD))
        connection.execute(update(CONTEXT_NOTE).values(note=AWKWARD))
        refresh_claim_bodies(connection)  # the rows were written past the service
    with migrated_database.read() as connection:
        ids = list(connection.execute(select(CLAIM.c.id)).scalars())
        pairs = [
            (current_claim(connection, claim_id), rendered_claim(connection, claim_id)) for claim_id in ids
        ]
    assert any(orjson.dumps(AWKWARD) in rendered.body for _, rendered in pairs if rendered is not None)
    for validated, rendered in pairs:
        assert validated is not None
        assert rendered is not None
        # An If-Match taken from a GET must match the ETag a write computes from the validated claim.
        assert rendered.representation() == validated.representation()


@pytest.mark.parametrize("left_out", [None, 0, 7])
@pytest.mark.parametrize("next_cursor", [None, "WyJjbGFpbXMiXQ"])
def test_a_list_bodys_meta_is_the_page_models_meta(next_cursor: str | None, left_out: int | None) -> None:
    """The meta a claim list writes without the model: the same keys, in the same order, as the model's."""
    model = ClaimPageMeta(total=41, limit=20, next_cursor=next_cursor, undated_left_out=left_out)
    written = claim_page_meta(41, 20, next_cursor, left_out)
    assert list(written.items()) == list(meta_dict(model).items())
