"""Answering with a resource's ETag, and the If-Match header the writes read."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Header, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.params import text
from app.services.writes.revisions import Current, Rendered

PublicT = TypeVar("PublicT", bound=BaseModel)

IfMatch = Annotated[
    Annotated[str, text(2000)] | None,
    Header(
        description="The ETag of the revision you edited (from GET, or the last write's answer). Required: "
        "missing answers 428, stale answers 412.",
    ),
]


def tagged(response: Response, current: Current[PublicT], *, location: str | None = None) -> PublicT:
    """The resource's public shape, with its ETag (and Location, for a new one) on the answer."""
    response.headers["ETag"] = current.etag
    if location is not None:
        response.headers["Location"] = location
    return current.public


def tagged_json(current: Current[PublicT] | Rendered) -> Response:
    """The resource's JSON answer with its ETag, serialised once for both (no second validation)."""
    etag, body = current.representation()
    return Response(body, media_type=JSONResponse.media_type, headers={"ETag": etag})
