"""API keys on requests: writes need `Authorization: Bearer <key>` with the right scope; reads are open
unless SECTORFACTS_READS_REQUIRE_KEY is set. The key itself is never logged or echoed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import DatabaseDep
from app.api.reading import run_read
from app.db import Database
from app.services.api_keys import ApiKeyInfo, authenticate
from app.services.writes.errors import Forbidden, Unauthorized
from app.services.writes.transaction import Actor

# Documents the scheme in OpenAPI (Swagger UI's Authorize button); the header is parsed below.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `sectorfacts keys create`, sent as `Authorization: Bearer <key>`.",
)


def _token(request: Request) -> str:
    """The key a request sends as `Authorization: Bearer <key>` (401 without one, or with another scheme)."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        raise Unauthorized("This request needs an API key: send `Authorization: Bearer <key>`.")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be `Bearer <key>`.", error="invalid_request")
    return token.strip()


async def _key_from(request: Request, database: Database) -> ApiKeyInfo:
    """The request's valid key (401 otherwise): its lookup is a read, run like any other (inline when
    cheap), so a write costs no extra hop to the thread pool before it starts."""
    key = await run_read(database, authenticate, database, _token(request))
    if key is None:
        raise Unauthorized(
            "The API key is not valid: it is unknown or has been revoked.", error="invalid_token"
        )
    return key


def require_scope(scope: str) -> Callable[..., Awaitable[ApiKeyInfo]]:
    """A dependency: the request's key, which must allow `scope` (401 without a valid key, 403 otherwise)."""

    async def key_with_scope(
        request: Request,
        database: DatabaseDep,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> ApiKeyInfo:
        key = await _key_from(request, database)
        if not key.allows(scope):
            raise Forbidden(
                f"This request needs a key with scope {scope!r} or wider; this key's is {key.scope!r}.",
                needed=scope,
            )
        return key

    return key_with_scope


WriteKey = Annotated[ApiKeyInfo, Depends(require_scope("write"))]
AdminKey = Annotated[ApiKeyInfo, Depends(require_scope("admin"))]


def actor(key: ApiKeyInfo) -> Actor:
    """Who the change log names for a write made with `key`."""
    return Actor(key_id=key.id, key_name=key.name)


async def read_access(request: Request) -> None:
    """App-wide: with reads_require_key, a /v1 read needs a valid key of any scope.

    `async`: most requests need no key and return at once, without a hop to the thread pool.
    """
    if not request.app.state.settings.reads_require_key or request.method not in {"GET", "HEAD"}:
        return
    if request.url.path.startswith("/v1/"):
        await _key_from(request, request.app.state.database)
