"""Parallel writers against a live `sectorfacts serve` with two worker processes.

No acknowledged write is lost, no edit silently overwrites another, and no "database is locked" (nor any
5xx but a 503 to retry after Retry-After) reaches a client.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import select

from app.services.tables import CHANGE, CONTEXT_NOTE
from tests.curation import make_keys, seed_database
from tests.system.support import serving

WRITERS = 8
WRITES_EACH = 10
SHARED_CLAIM = "/v1/claims/pkit-038"
MAX_ATTEMPTS = 200


class Writer:
    """One curator in a thread: retries a 503 after Retry-After, rereads and retries a 412."""

    def __init__(self, base_url: str, key: str, number: int) -> None:
        self.client = httpx2.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {key}"})
        self.number = number
        self.notes: list[int] = []
        self.statements: list[str] = []
        self.unexpected: list[str] = []
        self.retried = 0

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        for _ in range(MAX_ATTEMPTS):
            response = self.client.request(method, path, **kwargs)
            if "locked" in response.text.lower():
                self.unexpected.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            if response.status_code != 503:
                if response.status_code >= 500:
                    self.unexpected.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
                return response
            assert response.headers["retry-after"].isdigit()
            self.retried += 1
            time.sleep(0.05)  # a test need not wait the whole Retry-After
        raise AssertionError(f"{method} {path}: still 503 after {MAX_ATTEMPTS} attempts")

    def add_note(self, index: int) -> None:
        body = {"note": f"Writer {self.number}, note {index}.", "sources": [{"title": "Parallel test"}]}
        claim = f"/v1/claims/pkit-{self.number + 1:03d}/context"
        response = self._send("POST", claim, json=body)
        if response.status_code == 201:
            self.notes.append(response.json()["id"])
        else:
            self.unexpected.append(f"POST {claim}: {response.status_code} {response.text[:200]}")

    def edit_shared_claim(self, index: int) -> None:
        statement = f"Wording {self.number}.{index}."
        for _ in range(MAX_ATTEMPTS):
            etag = self._send("GET", SHARED_CLAIM).headers["etag"]
            response = self._send(
                "PATCH", SHARED_CLAIM, json={"statement": statement}, headers={"If-Match": etag}
            )
            if response.status_code == 200:
                self.statements.append(statement)
                return
            if response.status_code != 412:
                self.unexpected.append(f"PATCH: {response.status_code} {response.text[:200]}")
                return
        self.unexpected.append(f"PATCH {statement}: never won")

    def run(self) -> Writer:
        with self.client:
            for index in range(WRITES_EACH):
                self.add_note(index)
                self.edit_shared_claim(index)
        return self


def test_parallel_writers_lose_nothing(fresh_url: str, tmp_path: Path) -> None:
    database = seed_database(fresh_url)
    try:
        key = make_keys(database)["write"]
        with serving(fresh_url, tmp_path, tmp_path / "server.log", "--workers", "2") as base_url:
            writers = [Writer(base_url, key, number) for number in range(WRITERS)]
            with ThreadPoolExecutor(WRITERS) as pool:
                finished = list(pool.map(Writer.run, writers))
            history = httpx2.get(f"{base_url}{SHARED_CLAIM}/history?limit=100", timeout=30).json()["data"]
        assert [problem for writer in finished for problem in writer.unexpected] == []
        acknowledged_notes = sorted(note for writer in finished for note in writer.notes)
        acknowledged_edits = [statement for writer in finished for statement in writer.statements]
        assert len(acknowledged_notes) == len(acknowledged_edits) == WRITERS * WRITES_EACH
        with database.read() as connection:
            notes = set(connection.execute(select(CONTEXT_NOTE.c.id)).scalars())
            changes = connection.execute(
                select(CHANGE.c.resource_type, CHANGE.c.resource_id, CHANGE.c.action)
            ).all()
        assert set(acknowledged_notes) <= notes
        created = sorted(int(key) for kind, key, action in changes if kind == "note" and action == "create")
        assert created == acknowledged_notes
        # The shared claim's edits form one unbroken chain: each began from the one before it.
        assert sorted(change["after"]["statement"] for change in history) == sorted(acknowledged_edits)
        for previous, change in itertools.pairwise(history):
            assert change["before"] == previous["after"]
    finally:
        database.dispose()
