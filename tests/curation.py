"""Helpers for the curation tests: a seeded database of their own, with a key of every scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from app.config import Settings
from app.db import Database, create_database
from app.main import create_app
from app.services import api_keys, migrations
from app.services.tables import CHANGE
from seed.loader import load_seed
from tests.conftest import BASE_URL

Json = dict[str, Any]


@dataclass
class Curator:
    """A client on a writable seeded database, and keys: `read`, `write`, `admin` and a revoked `revoked`."""

    client: TestClient
    database: Database
    keys: dict[str, str]

    def auth(self, key: str = "write") -> dict[str, str]:
        """The Authorization header for one of the keys."""
        return {"Authorization": f"Bearer {self.keys[key]}"}

    def etag(self, path: str) -> str:
        """The ETag a GET of `path` answers (200 required)."""
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.headers["etag"]

    def write(
        self,
        method: str,
        path: str,
        body: Json | None = None,
        *,
        key: str = "write",
        if_match: str | None = None,
    ) -> Response:
        """Send a write with a key; `if_match="current"` reads the ETag first."""
        headers = self.auth(key)
        if if_match == "current":
            if_match = self.etag(path)
        if if_match is not None:
            headers["If-Match"] = if_match
        return self.client.request(method, path, json=body, headers=headers)

    def change_count(self) -> int:
        """Rows in the change log."""
        with self.database.read() as connection:
            count: int = connection.execute(select(func.count()).select_from(CHANGE)).scalar_one()
            return count


def seed_database(url: str) -> Database:
    """Migrate and seed the database at `url`; the caller disposes of it."""
    database = create_database(Settings(database_url=url))
    migrations.upgrade(database)
    load_seed(database)
    return database


def make_keys(database: Database) -> dict[str, str]:
    """One key of each scope, and a revoked admin key under `revoked`."""
    keys = {
        scope: api_keys.create_key(database, f"{scope} key", scope)[1] for scope in ("read", "write", "admin")
    }
    revoked_info, keys["revoked"] = api_keys.create_key(database, "revoked key", "admin")
    assert api_keys.revoke_key(database, str(revoked_info.id)) is not None
    return keys


@contextmanager
def curating(url: str, **settings: Any) -> Iterator[Curator]:
    """A Curator on a newly seeded database at `url` (an app built with extra `settings`)."""
    database = seed_database(url)
    try:
        keys = make_keys(database)
        app = create_app(Settings(database_url=url, **settings))
        with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
            yield Curator(client=client, database=database, keys=keys)
    finally:
        database.dispose()
