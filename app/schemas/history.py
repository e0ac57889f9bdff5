"""The change-log contract: who changed what, when, with the resource before and after."""

import datetime as dt
from typing import Any

from pydantic import Field

from app.models import ChangeAction, ResourceType
from app.schemas.common import Schema


class ChangePublic(Schema):
    """One write to one resource."""

    id: int = Field(description="Position in the change log: increasing, in commit order; `since` takes it.")
    at: dt.datetime = Field(description="When the change was committed (UTC, ISO 8601).")
    key_name: str = Field(description="The name of the API key that made it (`cli:ingest` for the CLI).")
    type: ResourceType
    resource_id: str = Field(description="The claim id, theme or entity slug, document id or note id.")
    action: ChangeAction
    before: dict[str, Any] | None = Field(
        description="The resource as GET answered it before; null on create."
    )
    after: dict[str, Any] | None = Field(description="The resource as GET answers it after; null on delete.")
