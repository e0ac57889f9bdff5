"""The webhook contract: a registered receiver of changes, its secret (shown once), and its deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from app.models import ResourceType
from app.schemas.common import Schema
from app.schemas.writes import Patch, Strict

MAX_FILTER_VALUES = 50
HookUrl = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=2000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+[^\s]*$"
    ),
    Field(description="Where each change is POSTed: an http or https URL."),
]
FilterKey = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
Types = Annotated[
    list[ResourceType],
    Field(max_length=5, description="Only changes to these resource types; empty: every type."),
]
Entities = Annotated[
    list[FilterKey],
    Field(
        max_length=MAX_FILTER_VALUES,
        description="Only changes concerning these entities (slug, name or alias; stored as slugs): the "
        "entity itself, claims naming it, their notes. Empty: no entity filter.",
    ),
]
Themes = Annotated[
    list[FilterKey],
    Field(
        max_length=MAX_FILTER_VALUES,
        description="Only changes concerning these themes: the theme itself, its claims, their notes.",
    ),
]


class WebhookCreate(Strict):
    """A receiver to register; the filters are AND'ed, the values of one filter OR'ed."""

    url: HookUrl
    types: Types = Field(default_factory=list)
    entities: Entities = Field(default_factory=list)
    themes: Themes = Field(default_factory=list)
    since: int | None = Field(
        default=None,
        ge=0,
        le=2**53,
        description="Deliver the changes after this change id too; omitted: only changes from now on.",
    )


class WebhookPatch(Patch):
    """Changes to a hook: `enabled: true` re-enables a disabled one (its failures are forgotten and it
    resumes where it stopped, so nothing is lost)."""

    url: HookUrl | None = None
    types: Types | None = None
    entities: Entities | None = None
    themes: Themes | None = None
    enabled: bool | None = None


class WebhookPublic(Schema):
    """A registered receiver, and how its deliveries stand (never its secret)."""

    id: int
    url: str
    types: list[ResourceType]
    entities: list[str] = Field(description="Entity slugs.")
    themes: list[str] = Field(description="Theme slugs.")
    enabled: bool = Field(description="False once it failed too often (see `disabled_reason`) or was paused.")
    cursor: int = Field(description="The last change id it is done with: delivery resumes after it.")
    failures: int = Field(description="Failed attempts in a row on the change being delivered.")
    next_attempt_at: dt.datetime | None = Field(description="When it is tried again after a failure.")
    disabled_at: dt.datetime | None
    disabled_reason: str | None
    created_at: dt.datetime
    created_by: str = Field(description="The name of the admin key that registered it.")


class WebhookCreated(WebhookPublic):
    """A new hook, with its signing secret: shown this once, never again."""

    secret: str = Field(description="Keep it: each delivery is signed with it (HMAC-SHA256).")


class DeliveryPublic(Schema):
    """One attempt to deliver one change."""

    id: int
    change_id: int
    attempt: int = Field(description="1 for the first attempt at this change, then 2, 3…")
    at: dt.datetime
    succeeded: bool = Field(description="The receiver answered 2xx.")
    status_code: int | None = Field(description="The receiver's status; null when it could not be reached.")
    error: str | None = Field(description="Why it failed, when it did.")
    duration_ms: int
