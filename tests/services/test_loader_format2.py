"""Annotation format /2: cited documents, paraphrase claims and relations are validated with clear
problems, synced by their natural keys, and ids never depend on position."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from app.db import Database
from app.services.annotations import SeedError, read_annotations
from app.services.copying import table_dump
from app.services.tables import CLAIM_BODY, CLAIM_RELATION
from seed.loader import load_seed
from tests.services.cited import DUBAI_BASED, DUBAI_SOURCE, HOMEGROWN, SUCCESS, write_cited_seed
from tests.services.seedfiles import Raw, claim, original_raw, problem_with, write_seed

Edit = Callable[[Raw, Path], None]


def _refused(folder: Path, edit: Edit) -> list[str]:
    with pytest.raises(SeedError) as refused:
        read_annotations(write_cited_seed(folder, edit))
    return refused.value.problems


def _relation(raw: Raw, **values: str) -> None:
    raw["relations"].append({"note": "A test note.", **values})


def _same_as_both_ways(raw: Raw) -> None:
    _relation(raw, subject=SUCCESS, type="same-as", object=HOMEGROWN)
    _relation(raw, subject=HOMEGROWN, type="same-as", object=SUCCESS)


BAD_FILES: list[tuple[str, Edit, tuple[str, ...]]] = [
    (
        "unknown claim",
        lambda raw, _: _relation(raw, subject="no-such-claim", type="supports", object=HOMEGROWN),
        ("unknown claim 'no-such-claim'", "subject"),
    ),
    (
        "self relation",
        lambda raw, _: _relation(raw, subject=HOMEGROWN, type="qualifies", object=HOMEGROWN),
        ("cannot relate to itself",),
    ),
    (
        "duplicate triple",
        lambda raw, _: _relation(raw, subject=DUBAI_BASED, type="contradicts", object=HOMEGROWN),
        ("listed twice", DUBAI_BASED),
    ),
    ("same-as both ways", lambda raw, _: _same_as_both_ways(raw), ("same-as is listed once",)),
    (
        "unknown relation type",
        lambda raw, _: _relation(raw, subject=SUCCESS, type="refutes", object=HOMEGROWN),
        ("relations[", "type"),
    ),
    (
        "quote given for a cited document's claim",
        lambda raw, _: claim(raw, DUBAI_BASED).update(quote="Careem is based in Dubai"),
        (DUBAI_BASED, "is cited", "remove quote"),
    ),
    (
        "span given for a cited document's claim",
        lambda raw, _: claim(raw, DUBAI_BASED).update(span={"start": 0, "end": 5}),
        (DUBAI_BASED, "is cited", "remove span"),
    ),
    (
        "a held document's claim without its quote",
        lambda raw, _: claim(raw, HOMEGROWN).pop("quote"),
        (HOMEGROWN, "is held", "give quote"),
    ),
    (
        "text_file without sha256",
        lambda raw, _: next(d for d in raw["documents"] if d["id"] == DUBAI_SOURCE).update(text_file="x.txt"),
        ("documents[", "text_file and sha256"),
    ),
    (
        "a date no calendar has",
        lambda raw, _: next(d for d in raw["documents"] if d["id"] == DUBAI_SOURCE).update(
            published_date="2018-02-30"
        ),
        ("published_date", "not a date"),
    ),
    (
        "format /1 with /2's additions",
        lambda raw, _: raw.update(format="sectorfacts-annotations/1"),
        ("sectorfacts-annotations/1 has no", "relations", "declare sectorfacts-annotations/2"),
    ),
]


@pytest.mark.parametrize(("name", "edit", "needles"), BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_a_bad_format_2_file_is_refused_naming_the_problem(
    tmp_path: Path, name: str, edit: Edit, needles: tuple[str, ...]
) -> None:
    problem_with(_refused(tmp_path, edit), *needles)


def _as_format_1(raw: Raw, _folder: Path) -> None:
    # Format /1 knows only held documents with quoted claims: the cited sources, their paraphrases and the
    # relations are format /2's additions, so a /1 file is the seed without them.
    cited = {d["id"] for d in raw["documents"] if "text_file" not in d}
    raw["format"] = "sectorfacts-annotations/1"
    raw["documents"] = [d for d in raw["documents"] if d["id"] not in cited]
    raw["claims"] = [c for c in raw["claims"] if c["document"] not in cited]
    raw.pop("relations", None)


def test_a_format_1_file_stays_valid(tmp_path: Path) -> None:
    annotations = read_annotations(write_seed(tmp_path, _as_format_1)).annotations
    assert annotations.format == "sectorfacts-annotations/1"
    assert annotations.relations == []
    assert annotations.claims


def test_partial_dates_load_as_written(tmp_path: Path) -> None:
    day = next(d for d in original_raw()["documents"] if d["id"] == DUBAI_SOURCE)["published_date"]
    assert len(day) == len("YYYY-MM-DD"), "the seed's Gulf News record is dated to the day"

    def dates(raw: Raw, _folder: Path) -> None:
        # Unquoted in YAML, a year is an int and a day a date: both are read back as the text written.
        next(d for d in raw["documents"] if d["id"] == "sample-wire-one")["published_date"] = 2017
        source = next(d for d in raw["documents"] if d["id"] == DUBAI_SOURCE)
        source["published_date"] = datetime.date.fromisoformat(day)

    path = write_cited_seed(tmp_path, dates)
    assert f"published_date: {day}\n" in path.read_text(encoding="utf-8"), "the day is written unquoted"
    documents = {d.id: d for d in read_annotations(path).annotations.documents}
    assert documents[DUBAI_SOURCE].published_date == day
    assert documents["example-press-two"].published_date == "2019-05"
    assert documents["sample-wire-one"].published_date == "2017"


def _relations(database: Database) -> dict[tuple[str, str, str], tuple[Any, str]]:
    with database.read() as connection:
        rows = connection.execute(select(CLAIM_RELATION)).all()
    return {(r.subject_id, r.type, r.object_id): (r.id, r.note) for r in rows}


def test_relations_sync_by_their_triple(migrated_database: Database, tmp_path: Path) -> None:
    first_file = write_cited_seed(tmp_path / "a")
    first = load_seed(migrated_database, first_file)
    assert first.changes["claim_relation inserted"] == len(
        yaml.safe_load(first_file.read_text(encoding="utf-8"))["relations"]
    )
    loaded = _relations(migrated_database)
    edited = (DUBAI_BASED, "contradicts", HOMEGROWN)
    removed = ("example-one-dubai", "contradicts", HOMEGROWN)
    assert {edited, removed} <= set(loaded)

    def edit(raw: Raw, _folder: Path) -> None:
        triples = [(r["subject"], r["type"], r["object"]) for r in raw["relations"]]
        raw["relations"][triples.index(edited)]["note"] = "An edited note."
        del raw["relations"][triples.index(removed)]
        _relation(raw, subject="sample-one-success", type="qualifies", object=HOMEGROWN)

    edited_file = write_cited_seed(tmp_path / "b", edit)
    report = load_seed(migrated_database, edited_file)
    changes = {key: count for key, count in report.changes.items() if count}
    assert changes == {
        "claim_relation updated": 1,
        "claim_relation deleted": 1,
        "claim_relation inserted": 1,
    }
    after = _relations(migrated_database)
    # The edited relation is the same row (its id kept), with the new note.
    assert after[edited] == (loaded[edited][0], "An edited note.")
    assert removed not in after
    assert ("sample-one-success", "qualifies", HOMEGROWN) in after
    assert not load_seed(migrated_database, edited_file).changed


def test_inserting_a_claim_changes_no_other_id(migrated_database: Database, tmp_path: Path) -> None:
    """Ids are names, not positions: a claim inserted mid-file (and mid-text) is one new row; every other
    claim, link, note, relation and stored answer stays as it was."""
    load_seed(migrated_database, write_cited_seed(tmp_path / "a"))
    before = table_dump(migrated_database)
    with migrated_database.read() as connection:
        bodies_before = dict(connection.execute(select(CLAIM_BODY.c.claim_id, CLAIM_BODY.c.body)).all())
    new_id = "careem-success-inserted"

    def insert(raw: Raw, _folder: Path) -> None:
        at = next(index for index, c in enumerate(raw["claims"]) if c["id"] == HOMEGROWN)
        inserted = dict(claim(raw, HOMEGROWN), id=new_id, context=[], statement="An inserted test claim.")
        raw["claims"].insert(at, inserted)

    report = load_seed(migrated_database, write_cited_seed(tmp_path / "b", insert))
    changes = {key: count for key, count in report.changes.items() if count}
    assert changes == {
        "claim inserted": 1,
        "claim_theme rewritten": 1,
        "claim_entity rewritten": 1,
    }
    after = table_dump(migrated_database)
    for table in ("document", "theme", "entity", "entity_alias", "context_note", "claim_relation"):
        assert after[table] == before[table], table
    assert [row for row in after["claim"] if row[0] != new_id] == before["claim"]
    with migrated_database.read() as connection:
        bodies_after = dict(connection.execute(select(CLAIM_BODY.c.claim_id, CLAIM_BODY.c.body)).all())
    assert {k: v for k, v in bodies_after.items() if k != new_id} == bodies_before
