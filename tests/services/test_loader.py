"""The loader refuses bad seed files, naming every problem and loading nothing, and reloads idempotently."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.db import Database
from app.services.annotations import SeedError
from app.services.copying import table_dump
from app.services.tables import CLAIM, CLAIM_BODY
from seed.loader import DEFAULT_ANNOTATIONS, load_seed
from tests.services.seedfiles import Raw, claim, entity, original_raw, problem_with, write_seed

RAW = original_raw()
DOCUMENT_ID: str = RAW["documents"][0]["id"]
TEXT_FILE: str = RAW["documents"][0]["text_file"]
TEXT = (DEFAULT_ANNOTATIONS.parent / TEXT_FILE).read_text(encoding="utf-8")
FIRST: str = RAW["claims"][0]["id"]
SECOND: str = RAW["claims"][1]["id"]
# A claim whose quote occurs once in the text, so a moved span has one place to point back to.
MOVABLE: Raw = next(c for c in RAW["claims"] if TEXT.count(c["quote"]) == 1)
WITH_CONTEXT: Raw = next(c for c in RAW["claims"] if c["context"] and c["entities"])

Dump = dict[str, list[tuple[Any, ...]]]


def _nonzero(changes: dict[str, int]) -> dict[str, int]:
    return {key: count for key, count in changes.items() if count}


def _empty(database: Database) -> bool:
    return all(rows == [] for rows in table_dump(database).values())


# ---- edits that each make one kind of bad seed ------------------------------------------------


def _move_quote(raw: Raw, _folder: Path) -> None:
    span = claim(raw, MOVABLE["id"])["span"]
    span["start"] += 1
    span["end"] += 1


def _span_past_end(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["span"] = {"start": len(TEXT) - 3, "end": len(TEXT) + 10}


def _unknown_theme(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["themes"].append("no-such-theme")


def _unknown_entity(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["entities"].append("no-such-entity")


def _unknown_document(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["document"] = "no-such-document"


def _duplicate_claim_id(raw: Raw, _folder: Path) -> None:
    claim(raw, SECOND)["id"] = FIRST


def _duplicate_theme_slug(raw: Raw, _folder: Path) -> None:
    raw["themes"].append(copy.deepcopy(raw["themes"][0]) | {"name": "Another name"})


def _shared_alias(raw: Raw, _folder: Path) -> None:
    # Aliases are unique across entities whatever their case.
    entity(raw, "careem")["aliases"].append("DARAZ.PK")


def _wrong_sha256(raw: Raw, _folder: Path) -> None:
    raw["documents"][0]["sha256"] = "0" * 64


def _missing_text_file(_raw: Raw, folder: Path) -> None:
    (folder / TEXT_FILE).unlink()


def _typo_key(raw: Raw, _folder: Path) -> None:
    target = claim(raw, FIRST)
    target["statment"] = target.pop("statement")


def _bad_kind(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["kind"] = "rumour"


def _bad_theme_slug_on_claim(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["themes"] = ["Sector Growth"]


def _bad_entity_slug(raw: Raw, _folder: Path) -> None:
    entity(raw, "daraz")["slug"] = "Daraz PK"


def _empty_themes(raw: Raw, _folder: Path) -> None:
    claim(raw, FIRST)["themes"] = []


@dataclass(frozen=True)
class BadSeed:
    edit: Callable[[Raw, Path], None]
    needles: tuple[str, ...]


QUOTE_AT = TEXT.index(MOVABLE["quote"])
QUOTE_END = QUOTE_AT + len(MOVABLE["quote"])

BAD_SEEDS = {
    # The message names the claim and says where the quote does occur.
    "quote-not-at-span": BadSeed(_move_quote, (MOVABLE["id"], "quote", str(QUOTE_AT), str(QUOTE_END))),
    "span-past-end": BadSeed(_span_past_end, (FIRST, "span", "outside")),
    "unknown-theme": BadSeed(_unknown_theme, (FIRST, "theme", "no-such-theme")),
    "unknown-entity": BadSeed(_unknown_entity, (FIRST, "entity", "no-such-entity")),
    "unknown-document": BadSeed(_unknown_document, (FIRST, "document", "no-such-document")),
    "duplicate-claim-id": BadSeed(_duplicate_claim_id, ("duplicate", "claim", FIRST)),
    "duplicate-theme-slug": BadSeed(_duplicate_theme_slug, ("duplicate", "theme", RAW["themes"][0]["slug"])),
    "alias-of-two-entities": BadSeed(_shared_alias, ("alias", "daraz.pk", "'careem'", "'daraz'")),
    "wrong-sha256": BadSeed(_wrong_sha256, (DOCUMENT_ID, "sha256")),
    "missing-text-file": BadSeed(_missing_text_file, (DOCUMENT_ID, TEXT_FILE)),
    "unknown-field": BadSeed(_typo_key, (FIRST, "statment")),
    "bad-kind": BadSeed(_bad_kind, (FIRST, "kind")),
    "bad-theme-slug-on-a-claim": BadSeed(_bad_theme_slug_on_claim, (FIRST, "themes")),
    # Names the entity (by its slug or name), not only its position in the list.
    "bad-entity-slug": BadSeed(_bad_entity_slug, ("slug", "daraz")),
    "empty-themes": BadSeed(_empty_themes, (FIRST, "themes")),
}


@pytest.mark.parametrize("case", list(BAD_SEEDS))
def test_loader_refuses_a_bad_seed_naming_the_problem_and_loads_nothing(
    case: str, migrated_database: Database, tmp_path: Path
) -> None:
    bad = BAD_SEEDS[case]
    path = write_seed(tmp_path / "seed", bad.edit)
    with pytest.raises(SeedError) as refused:
        load_seed(migrated_database, path)
    problem_with(refused.value.problems, *bad.needles)
    assert str(path) in str(refused.value)
    assert _empty(migrated_database)


def test_loader_refuses_invalid_yaml_saying_where(migrated_database: Database, tmp_path: Path) -> None:
    path = tmp_path / "annotations.yaml"
    path.write_text("format: sectorfacts-annotations/1\ndocuments:\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError) as refused:
        load_seed(migrated_database, path)
    problem_with(refused.value.problems, "line 3")
    assert _empty(migrated_database)


def test_a_refused_seed_leaves_a_loaded_database_as_it_was(
    migrated_database: Database, tmp_path: Path
) -> None:
    load_seed(migrated_database)
    before = table_dump(migrated_database)
    path = write_seed(tmp_path / "seed", _unknown_theme)
    with pytest.raises(SeedError):
        load_seed(migrated_database, path)
    assert table_dump(migrated_database) == before


def test_loader_lists_every_cross_reference_problem_of_a_file(
    migrated_database: Database, tmp_path: Path
) -> None:
    def several(raw: Raw, folder: Path) -> None:
        _unknown_theme(raw, folder)
        claim(raw, SECOND)["entities"].append("no-such-entity")
        _move_quote(raw, folder)
        _duplicate_theme_slug(raw, folder)

    with pytest.raises(SeedError) as refused:
        load_seed(migrated_database, write_seed(tmp_path / "seed", several))
    problems = refused.value.problems
    problem_with(problems, FIRST, "no-such-theme")
    problem_with(problems, SECOND, "no-such-entity")
    problem_with(problems, MOVABLE["id"], "quote", str(QUOTE_AT), str(QUOTE_END))
    problem_with(problems, "duplicate", RAW["themes"][0]["slug"])
    assert len(problems) == 4, problems
    assert f"{len(problems)} problem(s)" in str(refused.value)
    assert _empty(migrated_database)


def test_loader_lists_every_field_problem_of_a_file(migrated_database: Database, tmp_path: Path) -> None:
    third: str = RAW["claims"][2]["id"]

    def several(raw: Raw, _folder: Path) -> None:
        claim(raw, FIRST)["kind"] = "rumour"
        target = claim(raw, SECOND)
        target["statment"] = target.pop("statement")
        claim(raw, third)["themes"] = []

    with pytest.raises(SeedError) as refused:
        load_seed(migrated_database, write_seed(tmp_path / "seed", several))
    problems = refused.value.problems
    problem_with(problems, FIRST, "kind")
    problem_with(problems, SECOND, "statment")
    problem_with(problems, third, "themes")
    assert _empty(migrated_database)


# ---- idempotence ----------------------------------------------------------------------------------


def test_loading_the_same_seed_twice_changes_nothing(migrated_database: Database) -> None:
    first = load_seed(migrated_database)
    assert first.changed
    before = table_dump(migrated_database)
    second = load_seed(migrated_database)
    assert not second.changed
    assert _nonzero(second.changes) == {}
    assert table_dump(migrated_database) == before


def test_first_load_inserts_every_document_theme_entity_and_claim(migrated_database: Database) -> None:
    report = load_seed(migrated_database)
    dump = table_dump(migrated_database)
    assert report.changes["document inserted"] == len(RAW["documents"]) == len(dump["document"])
    assert report.changes["theme inserted"] == len(RAW["themes"]) == len(dump["theme"])
    assert report.changes["entity inserted"] == len(RAW["entities"]) == len(dump["entity"])
    assert report.changes["claim inserted"] == len(RAW["claims"]) == len(dump["claim"])
    assert len(dump["claim_theme"]) == sum(len(c["themes"]) for c in RAW["claims"])
    assert len(dump["claim_entity"]) == sum(len(c["entities"]) for c in RAW["claims"])
    assert len(dump["context_note"]) == sum(len(c["context"]) for c in RAW["claims"])
    assert len(dump["entity_alias"]) == sum(len(e["aliases"]) for e in RAW["entities"])


def _bodies(database: Database) -> dict[str, str]:
    """Each claim's stored answer (derived, so not in the data tables' dump)."""
    with database.read() as connection:
        return dict(connection.execute(select(CLAIM_BODY.c.claim_id, CLAIM_BODY.c.body)).all())


def _rows_without(dump: Dump, table: str, key: str) -> list[tuple[Any, ...]]:
    return [row for row in dump[table] if key not in row]


def test_editing_one_statement_updates_only_that_claim(migrated_database: Database, tmp_path: Path) -> None:
    load_seed(migrated_database)
    before = table_dump(migrated_database)
    bodies_before = _bodies(migrated_database)
    new_statement = "An edited statement of the first claim."

    def edit(raw: Raw, _folder: Path) -> None:
        claim(raw, FIRST)["statement"] = new_statement

    report = load_seed(migrated_database, write_seed(tmp_path / "seed", edit))
    after = table_dump(migrated_database)
    bodies_after = _bodies(migrated_database)
    assert _nonzero(report.changes) == {"claim updated": 1}
    assert str(report) == "claim updated 1"
    for table in before:
        if table not in {"claim", "search_entry"}:
            assert after[table] == before[table], table  # theme and entity ids and every link kept
    assert _rows_without(after, "claim", FIRST) == _rows_without(before, "claim", FIRST)
    (edited,) = [row for row in after["claim"] if row[0] == FIRST]
    assert new_statement in edited
    # The search index is derived: rebuilt, with the new statement in it.
    (indexed,) = [row for row in after["search_entry"] if row[2] == FIRST]
    assert new_statement in indexed
    # So is each claim's stored answer: the edited claim's shows the new statement, the others are kept.
    assert {k: v for k, v in bodies_after.items() if k != FIRST} == {
        k: v for k, v in bodies_before.items() if k != FIRST
    }
    assert new_statement in bodies_after[FIRST]


def test_removing_a_claim_from_the_file_deletes_it_and_its_links(
    migrated_database: Database, tmp_path: Path
) -> None:
    load_seed(migrated_database)
    before = table_dump(migrated_database)
    gone: str = WITH_CONTEXT["id"]

    def remove(raw: Raw, _folder: Path) -> None:
        raw["claims"] = [c for c in raw["claims"] if c["id"] != gone]
        # Its relations go with it (the file may not name a claim it does not have).
        relations = raw.get("relations", [])
        raw["relations"] = [r for r in relations if gone not in (r["subject"], r["object"])]

    report = load_seed(migrated_database, write_seed(tmp_path / "seed", remove))
    after = table_dump(migrated_database)
    assert _nonzero(report.changes) == {"claim deleted": 1}
    for table in ("claim", "claim_theme", "claim_entity", "context_note"):
        assert [row for row in after[table] if gone in row] == [], table
        assert [row for row in before[table] if gone in row] != [], table
        assert after[table] == _rows_without(before, table, gone), table
    for table in ("document", "theme", "entity", "entity_alias"):
        assert after[table] == before[table], table


def test_a_changed_text_file_becomes_the_documents_next_version(
    migrated_database: Database, tmp_path: Path
) -> None:
    load_seed(migrated_database)
    added = "\nA sentence added at the end.\n"

    def edit(raw: Raw, folder: Path) -> None:
        (folder / TEXT_FILE).write_text(TEXT + added, encoding="utf-8")
        raw["documents"][0]["sha256"] = hashlib.sha256((TEXT + added).encode("utf-8")).hexdigest()

    report = load_seed(migrated_database, write_seed(tmp_path / "seed", edit))
    assert report.changes["document_version inserted"] == 1
    assert report.changes["document updated"] == 1
    dump = table_dump(migrated_database)
    versions = sorted((row[0], row[1], row[2]) for row in dump["document_version"] if row[0] == DOCUMENT_ID)
    assert versions == [(DOCUMENT_ID, 1, TEXT), (DOCUMENT_ID, 2, TEXT + added)]
    with migrated_database.read() as connection:
        anchors = connection.execute(
            select(CLAIM.c.anchor_version, CLAIM.c.orphaned).where(CLAIM.c.document_id == DOCUMENT_ID)
        ).all()
    assert set(anchors) == {(2, False)}  # the file places its claims in its text
    assert not load_seed(migrated_database, write_seed(tmp_path / "again", edit)).changed


def _moved_figure(raw: Raw, folder: Path) -> None:
    figure = claim(raw, "uber-to-acquire-careem-associated-press-2019")["quantities"][0]
    figure["span"] = {"start": figure["span"]["start"] + 1, "end": figure["span"]["end"] + 1}


def _validity_backwards(raw: Raw, folder: Path) -> None:
    claim(raw, "uber-completed-careem-acquisition-wikipedia")["validity"] = {
        "valid_from": "2020-01",
        "valid_to": "2019",
    }


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (_moved_figure, ("uber-to-acquire-careem-associated-press-2019", "quantities[0]", "US$3.1 billion")),
        (
            _validity_backwards,
            ("uber-completed-careem-acquisition-wikipedia", "valid_from is after valid_to"),
        ),
    ],
)
def test_loader_refuses_figures_off_their_span_and_dates_out_of_order(
    edit: Callable[[Raw, Path], None], needles: tuple[str, ...], migrated_database: Database, tmp_path: Path
) -> None:
    path = write_seed(tmp_path / "seed", edit)
    with pytest.raises(SeedError) as refused:
        load_seed(migrated_database, path)
    problem_with(refused.value.problems, *needles)
    assert _empty(migrated_database)
