"""A bounded mixed load (reads, searches, authenticated writes) against a live `sectorfacts serve`.

No 5xx, /healthz answers throughout and after, and every acknowledged write is there afterwards.
bench/load_mix.py is the load; docs/reliability.md (## Load) has the figures seen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
from sqlalchemy import select

from app.services.tables import CONTEXT_NOTE
from bench.load_mix import missing_writes, run_mix
from tests.curation import make_keys, seed_database
from tests.system.support import serving

SECONDS = 8.0
CONCURRENCY = 16


def test_a_mixed_load_gets_no_5xx_and_loses_no_acknowledged_write(fresh_url: str, tmp_path: Path) -> None:
    database = seed_database(fresh_url)
    try:
        key = make_keys(database)["write"]
        with serving(fresh_url, tmp_path, tmp_path / "server.log") as base_url:
            result = asyncio.run(run_mix(base_url, key, SECONDS, CONCURRENCY))
            print(result.summary())
            assert httpx2.get(f"{base_url}/healthz", timeout=5).status_code == 200
            assert asyncio.run(missing_writes(base_url, result)) == []
        assert result.errors == []
        assert all(status < 500 for status in result.statuses)
        assert set(result.statuses) <= {200, 201}
        assert len(result.acknowledged) > 0
        assert result.total > 100
        assert set(result.health) == {200}
        assert result.health[200] >= SECONDS * 2
        with database.read() as connection:
            stored = {
                row.id: row.note for row in connection.execute(select(CONTEXT_NOTE.c.id, CONTEXT_NOTE.c.note))
            }
        assert {note: stored.get(note) for note in result.acknowledged} == result.acknowledged
    finally:
        database.dispose()
