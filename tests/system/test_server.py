"""`sectorfacts serve` as a real process: sets up a new database by itself and answers concurrent load."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx2
from sqlalchemy import delete

from app.config import Settings
from app.db import create_database
from app.services.annotations import SeedData, read_annotations
from app.services.copying import table_dump
from app.services.tables import CLAIM
from seed.loader import DEFAULT_ANNOTATIONS
from tests.system.support import serving

REQUEST_TIMEOUT_S = 10.0
CONCURRENT = 64


@dataclass(frozen=True)
class Probe:
    """A request and what its answer must say."""

    path: str
    key: str
    expected: Any


def _claims_path(**filters: str) -> str:
    return f"/v1/claims?{urlencode(filters)}"


def _probes(seed: SeedData) -> list[Probe]:
    """64 requests mixing filtered claim lists, single claims, entity lookups by alias and themes."""
    claims = seed.annotations.claims
    themes = Counter(slug for c in claims for slug in c.themes)
    entities = Counter(slug for c in claims for slug in c.entities)
    kinds = Counter(c.kind for c in claims)
    documents = Counter(c.document for c in claims)
    aliases = [(alias, e.slug) for e in seed.annotations.entities for alias in e.aliases]
    groups = [
        [Probe(_claims_path(theme=slug), "total", count) for slug, count in themes.items()],
        [Probe(_claims_path(entity=slug), "total", count) for slug, count in entities.items()],
        [Probe(_claims_path(kind=kind), "total", count) for kind, count in kinds.items()],
        [Probe(_claims_path(document=slug), "total", count) for slug, count in documents.items()],
        [Probe(f"/v1/claims/{c.id}", "id", c.id) for c in claims],
        [Probe(f"/v1/entities/{quote(alias)}", "slug", slug) for alias, slug in aliases],
        [Probe("/v1/themes?limit=100", "count", len(seed.annotations.themes))],
    ]
    # Round-robin over the groups, so every kind of request is in flight at once.
    picked: list[Probe] = []
    for i in range(CONCURRENT):
        group = groups[i % len(groups)]
        picked.append(group[(i // len(groups)) % len(group)])
    return picked


def _answer(probe: Probe, body: Any) -> Any:
    if probe.key == "total":
        return body["meta"]["total"]
    if probe.key == "count":
        return len(body["data"])
    return body[probe.key]


async def _fire(base_url: str, probes: list[Probe]) -> list[httpx2.Response | BaseException]:
    async with httpx2.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
        requests = (asyncio.wait_for(client.get(p.path), REQUEST_TIMEOUT_S) for p in probes)
        return await asyncio.gather(*requests, return_exceptions=True)


def _check_round(base_url: str, probes: list[Probe]) -> None:
    answers = asyncio.run(_fire(base_url, probes))
    assert len(answers) == len(probes)
    failures = []
    for probe, answer in zip(probes, answers, strict=True):
        if isinstance(answer, BaseException):
            failures.append(f"{probe.path}: {type(answer).__name__} {answer}")
        elif answer.status_code != 200:
            failures.append(f"{probe.path}: {answer.status_code} {answer.text[:200]}")
        elif (got := _answer(probe, answer.json())) != probe.expected:
            failures.append(f"{probe.path}: {probe.key} {got!r}, expected {probe.expected!r}")
    assert failures == []


def test_a_first_start_sets_up_a_new_database_and_serves_rounds_of_concurrent_requests(
    tmp_path: Path,
) -> None:
    seed = read_annotations(DEFAULT_ANNOTATIONS)
    probes = _probes(seed)
    database_url = f"sqlite:///{tmp_path / 'new' / 'sectorfacts.db'}"
    with serving(database_url, tmp_path, tmp_path / "server.log") as base_url:
        listed = httpx2.get(f"{base_url}/v1/claims", params={"limit": 1}, timeout=REQUEST_TIMEOUT_S)
        assert listed.status_code == 200
        assert listed.json()["meta"]["total"] == len(seed.annotations.claims)
        for _ in range(1 + 3):
            _check_round(base_url, probes)


def test_a_second_start_on_the_same_file_does_not_reseed(tmp_path: Path) -> None:
    seed = read_annotations(DEFAULT_ANNOTATIONS)
    removed = seed.annotations.claims[0].id
    database_url = f"sqlite:///{tmp_path / 'sectorfacts.db'}"
    with serving(database_url, tmp_path, tmp_path / "first.log") as base_url:
        assert httpx2.get(f"{base_url}/v1/claims/{removed}", timeout=REQUEST_TIMEOUT_S).status_code == 200

    # An operator's change the seed file does not have: a reseed would bring the claim back.
    database = create_database(Settings(database_url=database_url))
    try:
        with database.write() as connection:
            connection.execute(delete(CLAIM).where(CLAIM.c.id == removed))
        before = table_dump(database)
        with serving(database_url, tmp_path, tmp_path / "second.log") as base_url:
            gone = httpx2.get(f"{base_url}/v1/claims/{removed}", timeout=REQUEST_TIMEOUT_S)
            assert gone.status_code == 404
        assert table_dump(database) == before
    finally:
        database.dispose()
