"""`sectorfacts draft` run as a real process: it writes a valid draft that `sectorfacts seed` then loads."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from app.config import Settings
from app.db import create_database
from app.services.annotations import read_annotations
from app.services.tables import CLAIM
from tests.system.support import run_sectorfacts

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "second-article.txt"


def sectorfacts(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`sectorfacts ARGS` on `database_url`."""
    return run_sectorfacts(database_url, cwd, *args, timeout=120)


def _claims(database_url: str) -> int:
    database = create_database(Settings(database_url=database_url))
    try:
        with database.read() as connection:
            count: int = connection.execute(select(func.count()).select_from(CLAIM)).scalar_one()
            return count
    finally:
        database.dispose()


def test_draft_writes_a_valid_file_that_seed_loads_beside_the_seed(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'data' / 'draft.db'}"
    out = tmp_path / "drafts" / "second.yaml"

    drafted = sectorfacts(database_url, tmp_path, "draft", str(FIXTURE), "--out", str(out))
    assert drafted.returncode == 0, drafted.stderr
    assert "claims proposed: 18" in drafted.stdout
    assert "Pakistan Software Export Board [government]" in drafted.stdout
    assert (out.parent / FIXTURE.name).read_bytes() == FIXTURE.read_bytes()
    data = read_annotations(out)
    assert len(data.annotations.claims) == 18
    assert "careem" in {slug for c in data.annotations.claims for slug in c.entities}

    assert sectorfacts(database_url, tmp_path, "seed").returncode == 0
    seeded = _claims(database_url)
    loaded = sectorfacts(database_url, tmp_path, "seed", str(out))
    assert loaded.returncode == 0, loaded.stderr
    assert "claim inserted 18" in loaded.stdout
    assert "updated" not in loaded.stdout  # the known themes and entities are copied unchanged
    assert _claims(database_url) == seeded + 18

    # Drafting from the database now knows the loaded draft: new ids and a new document id, no clashes.
    again = tmp_path / "again" / "second.yaml"
    redrafted = sectorfacts(
        database_url, tmp_path, "draft", str(FIXTURE), "--out", str(again), "--from-database"
    )
    assert redrafted.returncode == 0, redrafted.stderr
    redraft = read_annotations(again).annotations
    assert redraft.documents[0].id == "second-article-draft"
    assert redraft.claims[0].id == "draft-019"
    assert "new entities proposed: 0" in redrafted.stdout


def test_draft_evaluate_prints_the_measured_table(tmp_path: Path) -> None:
    result = sectorfacts(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, "draft", "--evaluate")
    assert result.returncode == 0, result.stderr
    for measure in ("span recall", "entity precision", "entity recall", "theme precision", "kind accuracy"):
        assert measure in result.stdout
    assert "held out by section" in result.stdout
    assert "relations (same-as and part-of) in pakistan-it-sector" in result.stdout
    assert re.search(r"quantities, dates, validities proposed +0, 0, 0\n", result.stdout)
    assert not (tmp_path / "unused.db").exists()


def test_draft_numbers_prints_the_quantity_and_date_figures_of_each_labelled_file(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "drafting" / "fixtures"
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    result = sectorfacts(
        url,
        tmp_path,
        "draft",
        "--numbers",
        str(fixtures / "quantities-dates.yaml"),
        "--numbers",
        str(fixtures / "quantities-dates-heldout.yaml"),
    )
    assert result.returncode == 0, result.stderr
    assert "quantities-dates.yaml: 58 labelled sentences" in result.stdout
    assert "quantities-dates-heldout.yaml: 22 labelled sentences" in result.stdout
    for measure in (
        "quantity precision",
        "quantity recall",
        "quantity unit exact",
        "date recall",
        "validity accuracy",
    ):
        assert result.stdout.count(measure) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sentences: [{source: written, text: 'in 2019', dates: [{stated: '2020', value: '2020'}]}]\n"
    )
    refused = sectorfacts(url, tmp_path, "draft", "--numbers", str(bad))
    assert refused.returncode == 1
    assert "'2020' is not once in 'in 2019'" in refused.stderr
    assert not (tmp_path / "unused.db").exists()


def test_draft_without_an_article_or_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    missing = sectorfacts(url, tmp_path, "draft")
    assert missing.returncode == 2
    assert "needs an ARTICLE" in missing.stderr
    absent = sectorfacts(url, tmp_path, "draft", str(tmp_path / "nope.txt"))
    assert absent.returncode == 1
    assert "draft refused" in absent.stderr
