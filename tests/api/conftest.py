"""Fixtures for the HTTP API tests: the seed file as the source of expected answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.support import Json, walk
from tests.curation import Curator, curating
from tests.databases import fresh_database_url

DOCUMENT_ID = "pakistan-it-sector"
DOCUMENT_FILE = Path(DEFAULT_ANNOTATIONS).parent / "pakistan-it-sector.txt"


@pytest.fixture(scope="session")
def seed_data() -> SeedData:
    """The annotations the shared database was seeded from, read independently of the API."""
    return read_annotations(DEFAULT_ANNOTATIONS)


@pytest.fixture(scope="session")
def document_text() -> str:
    """The article's text, read from the seed file."""
    return DOCUMENT_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def api_claims(client: TestClient) -> list[Json]:
    """Every claim the API lists, in its order."""
    claims, total = walk(client, "/v1/claims", limit=100)
    assert total == len(claims)
    return claims


@pytest.fixture
def curator(fresh_url: str) -> Iterator[Curator]:
    """A client on a seeded database of this test's own (it may write), with a key of every scope."""
    with curating(fresh_url) as made:
        yield made


@pytest.fixture(scope="module")
def refusing_curator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Curator]:
    """One writable seeded database per module, for tests whose requests are all refused (write nothing)."""
    with fresh_database_url(tmp_path_factory.mktemp("refusals")) as url, curating(url) as made:
        yield made
