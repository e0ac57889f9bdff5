"""A claim write stores what it has just built: the claim's body and search entry come from the claim it
read in the transaction, not from reading it again, and match what a rebuild from the rows gives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text, update

from app.db import Database
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services.anchoring import add_version
from app.services.claim_bodies import body_json, claims_with_revisions
from app.services.claims import current_claim
from app.services.search.index import reindex_claims
from app.services.tables import CLAIM_BODY, SEARCH_ENTRY
from app.services.writes.claims import create_claim, delete_claim, update_claim
from tests.services.test_claim_numbers import ACTOR, ROWS, TEXT, _body, _fill


def _stored(database: Database, claim_id: str) -> tuple[Any, ...]:
    """The claim's stored body and search entry, and what a rebuild from its rows gives."""
    with database.write() as connection:
        body = connection.execute(select(CLAIM_BODY.c.body).where(CLAIM_BODY.c.claim_id == claim_id)).scalar()
        entry = select(SEARCH_ENTRY.c.title, SEARCH_ENTRY.c.body).where(
            SEARCH_ENTRY.c.kind == "claim", SEARCH_ENTRY.c.key == claim_id
        )
        stored = connection.execute(entry).one_or_none()
        built = [body_json(claim) for claim, _ in claims_with_revisions(connection, [claim_id])]
        reindex_claims(connection, [claim_id])
        rebuilt = connection.execute(entry).one_or_none()
        connection.rollback()
    return body, stored, built[0] if built else None, rebuilt


def _mark(database: Database, claim_id: str) -> None:
    """Write a title into the claim's search entry that no rebuild would give."""
    with database.write() as connection:
        connection.execute(
            update(SEARCH_ENTRY)
            .where(SEARCH_ENTRY.c.kind == "claim", SEARCH_ENTRY.c.key == claim_id)
            .values(title="marked")
        )


def test_create_patch_and_delete_store_the_claim_as_a_rebuild_would(migrated_database: Database) -> None:
    _fill(migrated_database, ROWS)
    claim_id = create_claim(migrated_database, ACTOR, _body()).public.id
    body, entry, built, rebuilt = _stored(migrated_database, claim_id)
    assert body == built
    assert tuple(entry) == tuple(rebuilt) == ("A statement.", "Imports fell")

    # The kind alone: the body changes; the search entry, whose text did not, is left as it was.
    _mark(migrated_database, claim_id)
    update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(kind="opinion"))
    body, kept, built, _ = _stored(migrated_database, claim_id)
    assert body == built
    assert '"kind":"opinion"' in body
    assert tuple(kept) == ("marked", "Imports fell")
    update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(statement="Another statement."))
    body, moved, built, rebuilt = _stored(migrated_database, claim_id)
    assert body == built
    assert tuple(moved) == tuple(rebuilt) == ("Another statement.", "Imports fell")

    delete_claim(migrated_database, ACTOR, claim_id, "*")
    assert _stored(migrated_database, claim_id) == (None, None, None, None)


def _links(database: Database, claim_id: str) -> tuple[Any, ...]:
    """The claim's themes by its links and by claim_by_theme; whether the theme tallies match a count."""
    with database.read() as connection:
        linked = text(
            "SELECT t.slug FROM claim_theme l JOIN theme t ON t.id = l.theme_id WHERE l.claim_id = :c"
        )
        ordered = text(
            "SELECT t.slug FROM claim_by_theme l JOIN theme t ON t.id = l.theme_id WHERE l.claim_id = :c"
        )
        tallies = text("SELECT value, claims FROM claim_tally WHERE dimension = 'theme' AND claims > 0")
        counted = text("SELECT CAST(theme_id AS VARCHAR), count(*) FROM claim_theme GROUP BY theme_id")
        return (
            sorted(connection.execute(linked, {"c": claim_id}).scalars()),
            sorted(connection.execute(ordered, {"c": claim_id}).scalars()),
            sorted(map(tuple, connection.execute(tallies)))
            == sorted(map(tuple, connection.execute(counted))),
        )


def test_a_patch_of_links_moves_only_those_that_differ(migrated_database: Database) -> None:
    _fill(
        migrated_database,
        [*ROWS, "INSERT INTO theme (slug, name, description, position) VALUES ('u', 'U', 'U.', 1)"],
    )
    claim_id = create_claim(migrated_database, ACTOR, _body()).public.id
    for themes in (["t", "u"], ["u"], ["t"]):
        after = update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(themes=themes)).public
        assert [theme.slug for theme in after.themes] == themes
        assert _links(migrated_database, claim_id) == (themes, themes, True)


def _read_again(database: Database, claim_id: str) -> tuple[Any, ...]:
    """The claim as a read builds it from its rows (public shape, revision, ETag), and its stored body."""
    with database.read() as connection:
        again = current_claim(connection, claim_id)
        stored = connection.execute(
            select(CLAIM_BODY.c.body).where(CLAIM_BODY.c.claim_id == claim_id)
        ).scalar()
    assert again is not None
    return again.public, again.revision, again.etag, stored


KNOWN_ROWS = [
    *ROWS,
    "INSERT INTO document (id, title, publisher, url, published_date, retrieved_date) "
    "VALUES ('cited', 'Cited', 'Pub', 'https://example.org/c', '2021-04', '2022-01-02')",
    "INSERT INTO theme (slug, name, description, position) VALUES ('first', 'First', 'F.', -1)",
    "INSERT INTO entity (slug, name, name_key, type, description, external_ids) "
    "VALUES ('zed', 'Alpha', 'alpha', 'company', 'A.', '{}')",
    "INSERT INTO entity (slug, name, name_key, type, description, external_ids) "
    "VALUES ('abe', 'Zulu', 'zulu', 'country', 'Z.', '{}')",
]


def test_a_claim_a_write_builds_without_reading_it_is_the_claim_read_again(
    migrated_database: Database,
) -> None:
    """A create (of a quote, with and without a recorded version, and of a paraphrase) and a patch of
    statement, kind, validity, themes and entities answer the claim without reading it again: exactly
    what a read builds from the rows, with the same revision and ETag, and the same stored body."""
    _fill(migrated_database, KNOWN_ROWS)
    with migrated_database.write() as connection:
        add_version(connection, "other", TEXT)
    bodies = [
        ClaimCreate(
            document=document,
            statement="A statement.",
            quote=quote,
            kind="fact",
            themes=["t", "first"],
            entities=["abe", "zed"],
            validity={"valid_from": "2020-03"},
        )
        for document, quote in (("trade", "Imports fell"), ("other", "Prices rose"), ("cited", None))
    ]
    for body in bodies:
        created = create_claim(migrated_database, ACTOR, body)
        public, revision, etag, stored = _read_again(migrated_database, created.key)
        assert (created.public, created.revision, created.etag) == (public, revision, etag)
        assert stored == body_json(public)
        patch = ClaimPatch(
            statement="Edited.",
            kind="opinion",
            themes=["first"],
            entities=["zed", "abe"],
            validity={"valid_from": "2019", "valid_to": "2021-05-02"},
        )
        patched = update_claim(migrated_database, ACTOR, created.key, created.etag, patch)
        public, revision, etag, stored = _read_again(migrated_database, created.key)
        assert (patched.public, patched.revision, patched.etag) == (public, revision, etag)
        assert stored == body_json(public)
        assert [theme.slug for theme in public.themes] == ["first"]
        assert [entity.slug for entity in public.entities] == ["zed", "abe"]


def _claim_tallies(database: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tallies of all claims, each kind and each document (those above 0), and the same counted."""
    with database.read() as connection:
        tallied = text(
            "SELECT dimension, value, claims FROM claim_tally "
            "WHERE dimension IN ('claim', 'kind', 'document') AND claims > 0"
        )
        counted = text(
            "SELECT 'claim', '', count(*) FROM claim UNION ALL "
            "SELECT 'kind', kind, count(*) FROM claim GROUP BY kind UNION ALL "
            "SELECT 'document', document_id, count(*) FROM claim GROUP BY document_id"
        )
        return (
            sorted(map(tuple, connection.execute(tallied))),
            sorted(tuple(row) for row in connection.execute(counted) if row[2] > 0),
        )


def _tally_row_versions(database: Database) -> list[Any]:
    """On PostgreSQL, the row version (xmin) of each claim tally; nothing on SQLite."""
    if database.write_engine.dialect.name != "postgresql":
        return []
    with database.read() as connection:
        versions = text("SELECT dimension, value, CAST(xmin AS TEXT) FROM claim_tally ORDER BY 1, 2")
        return [tuple(row) for row in connection.execute(versions)]


def test_claim_edits_keep_the_claim_tallies_exact(migrated_database: Database) -> None:
    """An edit of the statement leaves the tallies as they were; a change of kind moves the claim from one
    kind's tally to the other's (PostgreSQL writes only the tallies that change, migration 0021)."""
    _fill(migrated_database, ROWS)
    claim_id = create_claim(migrated_database, ACTOR, _body()).public.id
    create_claim(migrated_database, ACTOR, _body(quote="Prices rose"))
    before = _claim_tallies(migrated_database)
    assert before[0] == before[1]
    assert ("kind", "fact", 2) in before[0]
    written = _tally_row_versions(migrated_database)
    update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(statement="Edited."))
    assert _claim_tallies(migrated_database) == before
    # Not rewritten either: on PostgreSQL a rewritten row has a new version (every writer updates them).
    assert _tally_row_versions(migrated_database) == written
    update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(kind="opinion"))
    tallied, counted = _claim_tallies(migrated_database)
    assert tallied == counted
    assert ("kind", "fact", 1) in tallied
    assert ("kind", "opinion", 1) in tallied
    delete_claim(migrated_database, ACTOR, claim_id, "*")
    tallied, counted = _claim_tallies(migrated_database)
    assert tallied == counted
    assert ("claim", "", 1) in tallied
