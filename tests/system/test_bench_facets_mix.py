"""The facets mix benchmark (bench/facets_mix.py): its smoke run loads the engine under test with claims and
a tenth facets requests while a probe times claims, and records both runs with no error. It asserts no
speed: CI machines vary."""

from __future__ import annotations

import json
from pathlib import Path

from bench.facets_mix import FACETS_EVERY, mixed_paths
from bench.load import sqlite_corpus
from tests.databases import engine_under_test
from tests.system.support import bench_script


def test_a_tenth_of_the_mixed_requests_are_facets_with_changing_filters() -> None:
    paths, probed = mixed_paths(sqlite_corpus(60), facets=True)
    facets = [path for path in paths if path.startswith("/v1/claims/facets?")]
    claims = len(paths) - len(facets)
    assert len(facets) == -(-claims // (FACETS_EVERY - 1))  # one before each run of 9 claims
    assert len(set(facets)) > 1
    assert all(path.startswith("/v1/claims/") for path in paths)
    assert probed
    assert set(probed) <= {path.removeprefix("/v1/claims/") for path in paths}
    claims_only, _ = mixed_paths(sqlite_corpus(60), facets=False)
    assert not any("/facets" in path for path in claims_only)


def test_facets_mix_smoke_run_records_claims_latency_beside_counted_facets(tmp_path: Path) -> None:
    out = tmp_path / "facets-mix.json"
    engine = "postgres" if engine_under_test() == "postgresql" else "sqlite"
    bench_script("facets_mix.py", "--size", "60", "--seconds", "2", "--engine", engine, "--out", str(out))
    results = json.loads(out.read_text())
    assert len(results["commit"]["sha"]) == 40, results["commit"]
    runs = {run["mix"]: run for run in results["runs"]}
    assert set(runs) == {"claims only", "claims + 10% facets"}
    mixed = runs["claims + 10% facets"]
    assert mixed["engine"] == ("postgresql" if engine == "postgres" else "sqlite")
    assert mixed["facets_requests"] > 0
    assert runs["claims only"]["facets_requests"] == 0
    for run in runs.values():
        assert run["wrk_errors"] == run["probe_errors"] == 0
        assert run["probe_requests"] > 0
        assert 0 < run["claim_p50_ms"] <= run["claim_p99_ms"] <= run["claim_max_ms"]
