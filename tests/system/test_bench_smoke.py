"""The benchmark (bench/run.py) in smoke mode, so that it cannot rot: it runs, prints its table, and every
request it sent was answered without error. It asserts no speed: CI machines vary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import engine_under_test

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {"list_theme", "list_theme_entity", "claim", "search", "facets", "entity_alias", "deep_page"}


@pytest.mark.skipif(
    engine_under_test() != "sqlite", reason="the smoke run measures SQLite; the suite's SQLite run runs it"
)
def test_benchmark_smoke_run_prints_its_table_with_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    failed = f"bench/run.py --smoke failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, failed
    assert "endpoint" in done.stdout, done.stdout
    assert "x datasette" in done.stdout, done.stdout
    results = json.loads(out.read_text())
    # Every results file says what was measured, on what, with what.
    assert len(results["commit"]["sha"]) == 40, results["commit"]
    assert {"cpu", "cores", "memory_gb", "kernel"} <= results["machine"].keys(), results["machine"]
    assert {"python", "sqlite", "fastapi", "starlette", "uvicorn", "sqlalchemy", "datasette"} <= results[
        "versions"
    ].keys(), results["versions"]
    (size,) = results["sizes"]
    assert size["size"] == 60
    measured = {(row["endpoint"], row["target"]) for row in size["rows"]}
    for endpoint in ENDPOINTS:
        assert {(endpoint, "service"), (endpoint, "datasette"), (endpoint, "ceiling")} <= measured
    rows = size["rows"] + size["high_concurrency"]
    # Every target answered (a 1-second run on a busy machine may complete nothing for one endpoint).
    for target in {row["target"] for row in rows}:
        assert any(row["rps"] > 0 for row in rows if row["target"] == target), (target, rows)
    assert [row for row in rows if row["errors"]] == []
    assert size["stream"]["claims"] == 60
