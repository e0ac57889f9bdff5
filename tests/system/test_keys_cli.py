"""`sectorfacts keys` as a real process: a key is shown once, listed by prefix only, and revoked at once."""

from __future__ import annotations

import subprocess
from pathlib import Path

from app.config import Settings
from app.db import create_database
from app.services import api_keys
from tests.system.support import run_sectorfacts


def _keys(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sectorfacts(database_url, cwd, "keys", *args)


def test_keys_create_list_revoke(fresh_url: str, tmp_path: Path) -> None:
    made = _keys(fresh_url, tmp_path, "create", "--name", "alice", "--scope", "admin")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sf_")
    assert len(key) >= 40
    assert key not in made.stderr  # stdout carries the key alone, so `KEY=$(sectorfacts keys create …)` works
    assert "only time it is shown" in made.stderr
    listed = _keys(fresh_url, tmp_path, "list")
    assert listed.returncode == 0
    assert "alice" in listed.stdout
    assert "admin" in listed.stdout
    assert key[: api_keys.PREFIX_LENGTH] in listed.stdout
    assert key not in listed.stdout
    database = create_database(Settings(database_url=fresh_url))
    try:
        assert api_keys.authenticate(database, key) is not None
        revoked = _keys(fresh_url, tmp_path, "revoke", key[: api_keys.PREFIX_LENGTH])
        assert revoked.returncode == 0, revoked.stderr
        assert api_keys.authenticate(database, key) is None
    finally:
        database.dispose()
    assert _keys(fresh_url, tmp_path, "revoke", key[: api_keys.PREFIX_LENGTH]).returncode == 1


def test_keys_create_refuses_a_bad_scope_or_name(fresh_url: str, tmp_path: Path) -> None:
    assert _keys(fresh_url, tmp_path, "create", "--name", "x", "--scope", "root").returncode == 2
    refused = _keys(fresh_url, tmp_path, "create", "--name", "   ")
    assert refused.returncode == 1
    assert "name" in refused.stderr
