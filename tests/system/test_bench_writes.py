"""The write benchmark (bench/writes.py): its smoke run counts every write on the engine under test, and its
count check catches a lost or an unacknowledged write. It asserts no speed: CI machines vary."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.schemas.writes import ClaimCreate
from app.services.tables import CLAIM
from app.services.writes.claims import create_claim
from app.services.writes.transaction import Actor
from bench.write_checks import _log_problems
from bench.write_load import Tally, Written
from bench.write_report import markdown
from tests.curation import seed_database
from tests.databases import engine_under_test
from tests.system.support import bench_script


def test_write_benchmark_smoke_run_counts_every_write(tmp_path: Path) -> None:
    out = tmp_path / "writes.json"
    engine = "postgres" if engine_under_test() == "postgresql" else "sqlite"
    done = bench_script("writes.py", "--smoke", "--out", str(out), "--engine", engine)
    assert "create p50/p99 ms" in done.stdout, done.stdout
    assert "targets missed (paced)" in done.stdout, done.stdout
    results = json.loads(out.read_text())
    assert len(results["commit"]["sha"]) == 40, results["commit"]
    assert {"cpu", "cores", "memory_gb", "kernel"} <= results["machine"].keys()
    assert {"python", "sqlite", "uvicorn", "sqlalchemy", "httpx2", "wrk"} <= results["versions"].keys()
    (run,) = results["runs"]
    assert (run["engine"], run["size"]) == (engine, 60)
    checked = run["count_check"]
    assert checked["problems"] == []
    assert run["unexpected"] == []
    assert run["failures"] == []
    # Every writer's first claim is kept; its second (at least) is created, edited and deleted.
    assert checked["kept"] >= 16
    assert checked["deleted"] > 0
    assert checked["claims_after"] == checked["claims_before"] + checked["kept"] == 60 + checked["kept"]
    paced, saturated = run["paced"], run["saturated"]
    for kind in ("create", "delete"):
        written = paced["writes"][kind]["count"] + saturated["writes"][kind]["count"]
        assert written == checked[f"{kind}d"], (kind, paced["writes"], saturated["writes"], checked)
    # The paced phase offers the rate asked for; back to back, writers take what the server gives.
    assert paced["offered_writes_per_s"] == results["settings"]["paced_writes_per_s"] > 0
    assert saturated["offered_writes_per_s"] is None
    assert saturated["server_cpu_ms_per_write"] > 0
    assert run["readers_alone"]["requests"] > 0
    assert paced["readers"]["requests"] > 0
    assert saturated["readers"]["requests"] > 0
    # The write targets are judged on the paced phase: each miss names the measure and its limit.
    targets = results["settings"]["targets"]
    assert targets == {"write_p50_ms": 20, "write_p99_ms": 100, "reader_p99_rise": 2.0}
    slow = [kind for kind, summary in paced["writes"].items() if summary["p50_ms"] > 20]
    assert [miss.split()[0] for miss in run["target_misses"] if " p50 " in miss] == slow
    assert run["ingest"]["claims"] == 200
    assert "claims 200" in run["ingest"]["output"]
    assert run["rebuild"]["output"].startswith("sectorfacts: rebuilt")
    # The Markdown for docs/performance.md: provenance, then one row for the run.
    table = markdown(results).splitlines()
    assert table[0].startswith(f"Commit `{results['commit']['sha'][:7]}")
    assert table[-1].startswith(f"| 60 | {'SQLite' if engine == 'sqlite' else 'PostgreSQL'} | ")
    assert sum(line.startswith("| 60 | ") for line in table) == 3


def test_count_check_finds_a_lost_and_an_unacknowledged_write(fresh_url: str) -> None:
    database = seed_database(fresh_url)
    try:
        with database.read() as connection:
            basis = connection.execute(select(CLAIM).where(CLAIM.c.id == "pkit-001")).one()
        body = ClaimCreate.model_validate(
            {
                "document": basis.document_id,
                "statement": "A claim the count check looks for.",
                "quote": basis.quote,
                "span": {"start": basis.span_start, "end": basis.span_end},
                "kind": "fact",
                "themes": ["outlook"],
            }
        )
        created = create_claim(database, Actor(None, "bench-writes"), body).key
        acknowledged = Tally(claims=[Written(created)])
        assert _log_problems(database, "bench-writes", acknowledged) == []
        # A delete the client saw acknowledged (204) that the log does not hold: lost.
        lost = Tally(claims=[Written(created, deleted=True)])
        assert _log_problems(database, "bench-writes", lost) == [
            f"change log: claim {created} has ['create'], acknowledged ['create', 'delete']"
        ]
        # A create no client saw acknowledged: a duplicated (or phantom) write.
        assert _log_problems(database, "bench-writes", Tally()) == [
            f"change log: claim {created} was never acknowledged"
        ]
    finally:
        database.dispose()
