"""`sectorfacts ingest` as a real process: a second article loads whole, a broken one is refused whole."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.annotations import read_annotations
from app.services.copying import table_dump
from app.services.writes.ingest import IngestError, ingest
from seed.loader import DEFAULT_ANNOTATIONS
from tests.conftest import statements_on
from tests.curation import seed_database
from tests.system.support import SECTORFACTS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
FIXTURE = FIXTURES / "pakistan-digital-economy.yaml"
DOCUMENT = "pakistan-digital-economy"
Raw = dict[str, Any]


@pytest.fixture
def seeded(fresh_url: str) -> Iterator[Database]:
    database = seed_database(fresh_url)
    yield database
    database.dispose()


def _ingest(database: Database, path: Path) -> subprocess.CompletedProcess[str]:
    url = database.url.render_as_string(hide_password=False)
    return subprocess.run(
        [str(SECTORFACTS), "ingest", str(path)],
        env={**os.environ, "SECTORFACTS_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(folder: Path, edit: Callable[[Raw], None]) -> Path:
    """The fixture copied into `folder`, its annotations changed by `edit`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / f"{DOCUMENT}.txt", folder / f"{DOCUMENT}.txt")
    raw: Raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    edit(raw)
    path = folder / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _client(database: Database) -> TestClient:
    return TestClient(create_app(Settings(database_url=database.url.render_as_string(hide_password=False))))


def test_ingest_loads_the_second_article_with_its_history_and_search(seeded: Database) -> None:
    fixture: Raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    text = (FIXTURES / f"{DOCUMENT}.txt").read_text(encoding="utf-8")
    result = _ingest(seeded, FIXTURE)
    assert result.returncode == 0, result.stderr
    assert f"ingested '{DOCUMENT}': claims 25, context notes 1, new themes 1, new entities 3" in result.stdout
    assert "ingest [" in result.stderr
    assert "31/31" in result.stderr
    with _client(seeded) as client:
        documents = client.get("/v1/documents", params={"limit": 100}).json()
        # The ingested article joins the seed's documents; the other held one is the seed's article.
        seeded_ids = {d.id for d in read_annotations(DEFAULT_ANNOTATIONS).annotations.documents}
        assert {d["id"] for d in documents["data"]} == seeded_ids | {DOCUMENT}
        held = [d["id"] for d in documents["data"] if d["text_held"]]
        assert held == [DOCUMENT, "pakistan-it-sector"]
        claims = client.get(f"/v1/documents/{DOCUMENT}/claims", params={"limit": 100}).json()["data"]
        assert [c["id"] for c in claims] == [c["id"] for c in fixture["claims"]]
        for claim in claims:
            assert text[claim["span"]["start"] : claim["span"]["end"]] == claim["quote"]
        assert (
            client.get("/v1/claims/pkde-005").json()["context"][0]["sources"][0]["title"]
            == "Made-up test source"
        )
        # Search, counts and lookups know the new document at once.
        hits = client.get("/v1/search", params={"q": "freelance talent", "type": "claim"}).json()["data"]
        assert "pkde-005" in [hit["id"] for hit in hits]
        assert client.get("/v1/entities/PSEB").json()["claim_count"] == 3
        assert client.get("/v1/themes/education-skills").json()["claim_count"] == 3
        exports = sum("freelancing-exports" in claim["themes"] for claim in fixture["claims"])
        assert client.get("/v1/themes/freelancing-exports").json()["claim_count"] == 4 + exports
        changes = client.get("/v1/changes", params={"limit": 100}).json()
        assert changes["meta"]["total"] == 31
        assert {c["key_name"] for c in changes["data"]} == {"cli:ingest"}
        assert {c["action"] for c in changes["data"]} == {"create"}
        history = client.get("/v1/claims/pkde-005/history").json()["data"]
        assert [(c["type"], c["action"]) for c in history] == [("claim", "create"), ("note", "create")]


def test_ingesting_the_same_article_again_is_refused_and_changes_nothing(seeded: Database) -> None:
    assert _ingest(seeded, FIXTURE).returncode == 0
    before = table_dump(seeded)
    again = _ingest(seeded, FIXTURE)
    assert again.returncode == 1
    assert f"documents[0] (document '{DOCUMENT}'): already in the database" in again.stderr
    assert "claims[24] (claim 'pkde-025'): the id is taken" in again.stderr
    assert table_dump(seeded) == before


def _break(raw: Raw) -> None:
    raw["claims"][2]["span"]["start"] += 1
    raw["claims"][3]["themes"].append("no-such-theme")
    raw["claims"][4]["colour"] = "blue"
    raw["claims"][5]["id"] = raw["claims"][6]["id"]
    raw["entities"][0]["type"] = "planet"


def test_a_broken_file_is_refused_whole_with_every_problem_and_its_place(
    seeded: Database, tmp_path: Path
) -> None:
    before = table_dump(seeded)
    result = _ingest(seeded, _copy(tmp_path, _break))
    assert result.returncode == 1
    # Shape errors are reported first, each with its place; the cross-checks follow once the shape is right.
    for expected in [
        "claims[4] (claim 'pkde-005').colour: Extra inputs are not permitted",
        "entities[0] (entity 'daraz').type: Input should be",
        "nothing loaded",
    ]:
        assert expected in result.stderr
    assert table_dump(seeded) == before
    raw: Raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    _break(raw)
    del raw["claims"][4]["colour"]
    raw["entities"][0]["type"] = "company"
    result = _ingest(seeded, _copy(tmp_path / "second", lambda r: r.update(raw)))
    assert result.returncode == 1
    for expected in [
        "claim 'pkde-003': quote does not match the document text at span",
        "claim 'pkde-004': unknown theme 'no-such-theme'",
        "duplicate claim id 'pkde-007'",
    ]:
        assert expected in result.stderr
    assert table_dump(seeded) == before


def test_what_clashes_with_the_database_is_refused_whole(seeded: Database, tmp_path: Path) -> None:
    def clash(raw: Raw) -> None:
        raw["claims"][0]["id"] = "pkit-001"
        software = next(e for e in raw["entities"] if e["slug"] == "software-houses")
        software["aliases"].append("Careem Networks")  # careem is not in the file, only in the database

    before = table_dump(seeded)
    result = _ingest(seeded, _copy(tmp_path, clash))
    assert result.returncode == 1
    assert "refused, 2 problem(s), nothing loaded" in result.stderr
    assert "claims[0] (claim 'pkit-001'): the id is taken" in result.stderr
    assert "(entity 'software-houses'): Every slug, name and alias must name one entity" in result.stderr
    assert "'Careem Networks' is already a name of 'careem'" in result.stderr
    assert table_dump(seeded) == before


def test_existing_themes_and_entities_are_kept_as_the_database_has_them(
    seeded: Database, tmp_path: Path
) -> None:
    def redefine(raw: Raw) -> None:
        outlook = next(t for t in raw["themes"] if t["slug"] == "outlook")
        outlook["description"] = "Something else."

    result = _ingest(seeded, _copy(tmp_path, redefine))
    assert result.returncode == 0, result.stderr
    assert "theme 'outlook' is in the database with another description: kept as it is there" in result.stderr
    with _client(seeded) as client:
        assert client.get("/v1/themes/outlook").json()["description"] != "Something else."


def test_ingest_reads_a_document_once_however_many_claims_quote_it(seeded: Database) -> None:
    # Each claim's quote is placed in its document's text; read once a claim, the text cost grew with
    # the file (a 10,000-claim document's text read 10,000 times).
    with statements_on(seeded.write_engine) as log:
        report = ingest(seeded, FIXTURE)
    assert report.claims == 25
    texts_read = [
        s for s in log.statements if re.search(r"SELECT document\.id AS document_id, document\.text\b", s)
    ]
    assert len(texts_read) == 1


def test_the_service_reports_progress_and_refuses_a_missing_file(seeded: Database, tmp_path: Path) -> None:
    ticks: list[tuple[int, int]] = []
    report = ingest(seeded, FIXTURE, progress=lambda done, total: ticks.append((done, total)))
    assert report.claims == 25
    assert ticks[-1] == (31, 31)
    assert [done for done, _ in ticks] == list(range(1, 32))
    with pytest.raises(IngestError, match="cannot read the file"):
        ingest(seeded, tmp_path / "missing.yaml")


def test_ingest_loads_a_cited_document_its_paraphrases_and_their_relations(
    seeded: Database, tmp_path: Path
) -> None:
    def cited(raw: Raw) -> None:
        raw["format"] = "sectorfacts-annotations/2"
        theme = raw["claims"][0]["themes"][0]
        raw["documents"].append(
            {
                "id": "example-cited-record",
                "title": "A test record",
                "publisher": "Example Press",
                "url": None,
            }
        )
        for claim_id in ("example-one", "example-two"):
            raw["claims"].append(
                {
                    "id": claim_id,
                    "document": "example-cited-record",
                    "statement": f"Test: {claim_id}.",
                    "kind": "fact",
                    "themes": [theme],
                }
            )
        raw["relations"] = [
            {"subject": "example-one", "type": "supports", "object": raw["claims"][0]["id"], "note": "Test."},
            {"subject": "example-two", "type": "same-as", "object": "example-one", "note": "Test."},
        ]

    report = ingest(seeded, _copy(tmp_path, cited))
    assert report.relations == 2
    assert "relations 2" in str(report)
    with _client(seeded) as client:
        first = client.get(
            f"/v1/claims/{yaml.safe_load(FIXTURE.read_text(encoding='utf-8'))['claims'][0]['id']}"
        )
        assert first.status_code == 200
        (support,) = [link for link in first.json()["relations"] if link["relation"] == "supported_by"]
        assert support["claim"]["basis"] == "paraphrase"
        assert support["claim"]["source"]["publisher"] == "Example Press"
        changes = client.get("/v1/changes", params={"limit": 100}).json()["data"]
        assert [c["action"] for c in changes if c["type"] == "relation"] == ["create", "create"]
