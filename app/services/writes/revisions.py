"""Revisions as strong ETags, and the If-Match checks that keep one edit from silently undoing another.

An ETag names the resource's revision and a digest of its representation: `"claim-pkit-038-r3-…"`.
The digest makes it change whenever the answer does, also when only something nested changed (a
theme's new name inside a claim, a claim count), so it is a true strong validator for caches too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Table, update

from app.services.writes.errors import PreconditionFailed, PreconditionRequired

PublicT = TypeVar("PublicT", bound=BaseModel)
# Content codings a compressing layer may have appended to an ETag ("…-gzip"): the same revision.
CODINGS = ("gzip", "br", "deflate", "zstd")
MAX_IF_MATCH_TAGS = 20


@dataclass(frozen=True)
class Current(Generic[PublicT]):
    """A resource as it stands: its public shape and its revision."""

    kind: str
    key: str
    revision: int
    public: PublicT

    @property
    def etag(self) -> str:
        """The strong ETag of this revision of the resource."""
        return self.representation()[0]

    def representation(self) -> tuple[str, bytes]:
        """The strong ETag and the JSON body it stands for, serialised once for both."""
        body = self.public.__pydantic_serializer__.to_json(self.public)
        return strong_etag(self.kind, self.key, self.revision, body), body

    def dump(self) -> dict[str, Any]:
        """The public shape as JSON-ready data, as the change log stores it."""
        return self.public.model_dump(mode="json")


@dataclass(frozen=True)
class Rendered:
    """A resource's JSON body rendered straight from its rows, with its revision: what a GET answers
    without validating again what the writes validated. The body must be the bytes `Current` would
    serialise, so that both carry the same ETag (tests/services/test_claims_json.py)."""

    kind: str
    key: str
    revision: int
    body: bytes

    def representation(self) -> tuple[str, bytes]:
        """The strong ETag and the body."""
        return strong_etag(self.kind, self.key, self.revision, self.body), self.body


def strong_etag(kind: str, key: str, revision: int, body: bytes) -> str:
    """The ETag of this revision of a resource whose JSON body is `body`."""
    return f'"{kind}-{key}-r{revision}-{hashlib.sha256(body).hexdigest()[:16]}"'


def require_if_match(if_match: str | None) -> str:
    """The If-Match header; raises PreconditionRequired (428) when it is missing."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired
    return if_match


def matches(if_match: str, etag: str) -> bool:
    """Strong comparison (RFC 9110): `*`, or a listed tag equal to `etag`, possibly content-coded."""
    for tag in (part.strip() for part in if_match.split(",")[:MAX_IF_MATCH_TAGS]):
        if tag == "*" or tag == etag:
            return True
        if any(tag == f'{etag[:-1]}-{coding}"' for coding in CODINGS):
            return True
    return False


def check_if_match(if_match: str, current: Current[Any]) -> None:
    """Raise PreconditionFailed (412) unless If-Match names the current revision."""
    if not matches(if_match, current.etag):
        raise PreconditionFailed(current.kind, current.key, current.etag)


def bump(
    connection: Connection,
    table: Table,
    where: ColumnElement[bool],
    current: Current[Any],
    values: dict[str, Any] | None = None,
) -> None:
    """Write `values` and the next revision, only if the row is still at `current.revision`; else 412."""
    result = connection.execute(
        update(table)
        .where(where, table.c.revision == current.revision)
        .values(**(values or {}), revision=table.c.revision + 1)
    )
    if result.rowcount != 1:
        raise PreconditionFailed(current.kind, current.key, current.etag)
