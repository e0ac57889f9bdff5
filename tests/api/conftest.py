"""Fixtures for the HTTP API tests: the seed file as the source of expected answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seed.loader import DEFAULT_ANNOTATIONS, SeedData, read_annotations
from tests.api.support import Json, walk

DOCUMENT_ID = "pakistan-it-sector"
DOCUMENT_FILE = Path(DEFAULT_ANNOTATIONS).parent / "pakistan-it-sector.txt"


@pytest.fixture(scope="session")
def seed_data() -> SeedData:
    """The annotations the shared database was seeded from, read independently of the API."""
    return read_annotations()


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
