"""API keys: made once and shown once; only a SHA-256 is stored, found by prefix, compared in constant time.

A key is 32 random bytes, so a fast hash is enough (nothing to brute-force, unlike a password). Only
the public prefix ever reaches SQL, so a key never appears in a statement, an error or a log line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from app.db import Database
from app.models import KEY_SCOPES
from app.services.tables import API_KEY

KEY_PREFIX = "sf_"
PREFIX_LENGTH = 12
# What each scope may do: admin implies write, write implies read.
IMPLIED = {"read": {"read"}, "write": {"read", "write"}, "admin": {"read", "write", "admin"}}
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class ApiKeyInfo:
    """A key as listings show it: never the key itself."""

    id: int
    name: str
    scope: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    def allows(self, scope: str) -> bool:
        """True when this key's scope includes `scope`."""
        return scope in IMPLIED[self.scope]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _info(row: object) -> ApiKeyInfo:
    return ApiKeyInfo(**{name: getattr(row, name) for name in ApiKeyInfo.__dataclass_fields__})


def create_key(database: Database, name: str, scope: str) -> tuple[ApiKeyInfo, str]:
    """Make a new key; returns its listing and the key itself, which is never retrievable again."""
    if scope not in KEY_SCOPES:
        raise ValueError(f"scope must be one of {', '.join(KEY_SCOPES)}")
    name = name.strip()
    if not name or len(name) > 100 or any(ord(char) < 32 for char in name):
        raise ValueError("name must be 1 to 100 printable characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    created_at = dt.datetime.now(dt.UTC)
    values = {"name": name, "scope": scope, "prefix": key[:PREFIX_LENGTH], "created_at": created_at}
    with database.write() as connection:
        key_id = connection.execute(
            insert(API_KEY).values(key_hash=_hash(key), **values).returning(API_KEY.c.id)
        ).scalar_one()
    return ApiKeyInfo(
        id=key_id, name=name, scope=scope, prefix=key[:PREFIX_LENGTH], created_at=created_at, revoked_at=None
    ), key


def list_keys(database: Database) -> list[ApiKeyInfo]:
    """Every key, revoked ones included, oldest first."""
    with database.read() as connection:
        rows = connection.execute(select(API_KEY).order_by(API_KEY.c.id)).all()
    return [_info(row) for row in rows]


def revoke_key(database: Database, reference: str) -> ApiKeyInfo | None:
    """Revoke the key with this id or prefix; returns it, or None when no unrevoked key matches."""
    where = API_KEY.c.id == int(reference) if reference.isdigit() else API_KEY.c.prefix == reference
    with database.write() as connection:
        rows = connection.execute(select(API_KEY).where(where, API_KEY.c.revoked_at.is_(None))).all()
        if len(rows) != 1:
            return None
        now = dt.datetime.now(dt.UTC)
        connection.execute(update(API_KEY).where(API_KEY.c.id == rows[0].id).values(revoked_at=now))
    revoked = _info(rows[0])
    return ApiKeyInfo(**{**revoked.__dict__, "revoked_at": now})


def authenticate(database: Database, key: str) -> ApiKeyInfo | None:
    """The unrevoked key `key` is, or None; the comparison takes the same time whatever the key."""
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH or not key.isascii():
        return None
    wanted = _hash(key)
    with database.read() as connection:
        rows = connection.execute(
            select(API_KEY).where(API_KEY.c.prefix == key[:PREFIX_LENGTH], API_KEY.c.revoked_at.is_(None))
        ).all()
    found = None
    for row in rows:
        if hmac.compare_digest(row.key_hash, wanted):
            found = _info(row)
    return found
