"""The change log pushed as server-sent events: `GET /v1/changes/stream`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from pydantic import WithJsonSchema
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import StreamingResponse

from app.api.deps import DatabaseDep, split_values
from app.api.openapi import INVALID, UNAVAILABLE, Responses
from app.api.params import COMMA_SEPARATED, MAX_FILTER_VALUES, MAX_VALUE_LENGTH, FilterValues, text
from app.api.route_class import ApiRoute
from app.api.routers.history import SinceParam, since_at
from app.api.write_docs import CHANGE_EXAMPLE
from app.config import Settings
from app.db import Database
from app.services.change_feed import (
    BATCH,
    ChangeFilter,
    FeedChange,
    changes_after,
    first_change_at,
    last_change_id,
    resolve_filter,
)
from app.services.change_hub import ChangeHub
from app.services.worker_threads import run_to_the_end

router = APIRouter(tags=["history"], route_class=ApiRoute)
logger = logging.getLogger("sectorfacts.push")

EVENT_STREAM = "text/event-stream"
# How long an EventSource waits before reconnecting after the stream ends or drops.
RETRY_MS = 1000
LAST_EVENT_ID = r"^ *[0-9]{1,18} *$"
# Documented without the `null` FastAPI adds to an optional parameter: a header or a query parameter is
# either sent or not, and "null" is no value either would carry.
LastEventId = Annotated[
    str | None,
    text(24, pattern=LAST_EVENT_ID),
    Header(
        alias="Last-Event-ID",
        description="The `id` of the last event received: the stream resumes after it (an EventSource "
        "sends it by itself when it reconnects). Wins over `since`.",
    ),
    WithJsonSchema({"type": "string", "maxLength": 24, "pattern": LAST_EVENT_ID}),
]


def _values(description: str) -> WithJsonSchema:
    """The schema of an optional filter: values repeated or comma-separated, each bounded (no `null`)."""
    values = {"type": "string", "maxLength": MAX_FILTER_VALUES * (MAX_VALUE_LENGTH + 1)}
    return WithJsonSchema(
        {
            "type": "array",
            "maxItems": MAX_FILTER_VALUES,
            "items": {**values, "pattern": COMMA_SEPARATED},
            "description": description,
        }
    )


OR = " Repeat the parameter or separate values with commas (OR)."
TYPES = f"claim, theme, entity, document or note.{OR}"
ENTITIES = f"Entity slugs, names or aliases, any case.{OR}"
THEMES = f"Theme slugs.{OR}"
TypeFilter = Annotated[
    list[FilterValues] | None, Query(max_length=MAX_FILTER_VALUES, description=TYPES), _values(TYPES)
]
EntityFilter = Annotated[
    list[FilterValues] | None, Query(max_length=MAX_FILTER_VALUES, description=ENTITIES), _values(ENTITIES)
]
ThemeFilter = Annotated[
    list[FilterValues] | None, Query(max_length=MAX_FILTER_VALUES, description=THEMES), _values(THEMES)
]

_EXAMPLE_DATA = '{"id":41,"at":"2026-11-28T09:15:02.417305Z","key_name":"alice","type":"theme",...}'
STREAM_EXAMPLE = (
    f"retry: {RETRY_MS}\n: changes after 40\n\n"
    f"id: {CHANGE_EXAMPLE['id']}\nevent: change\ndata: {_EXAMPLE_DATA}\n\n: heartbeat\n\n"
)
STREAM_RESPONSES: Responses = {
    200: {
        "description": "An endless `text/event-stream`: one `change` event per change (`id` the change "
        "id, `data` the change as `GET /v1/changes` lists it, on one line), and a comment line "
        "(`: heartbeat`) when idle. See docs/push.md.",
        "content": {EVENT_STREAM: {"schema": {"type": "string"}, "example": STREAM_EXAMPLE}},
    },
    **INVALID,
    **UNAVAILABLE,
}


class EventStream(StreamingResponse):
    """A `text/event-stream` answer, never cached nor buffered by a proxy."""

    media_type = EVENT_STREAM


def _start(
    database: Database,
    change_filter_of: tuple[list[str], list[str], list[str]],
    cursor: int | None,
    since: object,
) -> tuple[ChangeFilter, int]:
    types, entities, themes = change_filter_of
    with database.read() as connection:
        change_filter = resolve_filter(connection, types, entities, themes)
        if cursor is not None:
            return change_filter, cursor
        if isinstance(since, dt.datetime):
            return change_filter, first_change_at(connection, since_at(since))
        return change_filter, since if isinstance(since, int) else last_change_id(connection)


def _read_after(database: Database, cursor: int) -> list[FeedChange]:
    with database.read() as connection:
        return changes_after(connection, cursor)


async def _events(
    hub: ChangeHub, database: Database, settings: Settings, change_filter: ChangeFilter, cursor: int
) -> AsyncIterator[bytes]:
    """The stream: what the log holds after `cursor` that passes the filter, then each change as it comes."""
    loop = asyncio.get_running_loop()
    # The first bytes go out at once, so the client (and any proxy) sees the answer start.
    yield f"retry: {RETRY_MS}\n: changes after {cursor}\n\n".encode()
    now = loop.time()
    ends, last_sent = now + settings.stream_max_s, now
    while True:
        try:
            batch = await run_to_the_end(_read_after, database, cursor)
        except SQLAlchemyError as error:
            # The database is away or busy: end the stream; the client reconnects after `retry` and
            # resumes with Last-Event-ID, missing nothing.
            logger.warning("Change stream ended: the change log could not be read (%s)", error)
            return
        for change in batch:
            cursor = change.id
            if change_filter.matches(change):
                yield b"id: %d\nevent: change\ndata: %s\n\n" % (change.id, change.body)
                last_sent = loop.time()
        if len(batch) == BATCH:
            continue
        now = loop.time()
        if now >= ends:
            return
        if now - last_sent >= settings.stream_heartbeat_s:
            yield b": heartbeat\n\n"
            last_sent = now
        wait = min(ends, last_sent + settings.stream_heartbeat_s) - now
        await hub.wait_past(cursor, max(wait, 0.0))


@router.get(
    "/v1/changes/stream", summary="Stream changes", response_class=EventStream, responses=STREAM_RESPONSES
)
async def stream_changes(
    request: Request,
    database: DatabaseDep,
    since: SinceParam = None,
    type: TypeFilter = None,
    entity: EntityFilter = None,
    theme: ThemeFilter = None,
    last_event_id: LastEventId = None,
) -> EventStream:
    """Every change as it is committed, pushed as server-sent events; the filters are AND'ed.

    A change concerns an entity or a theme when it is that entity or theme, a claim naming it before or
    after the change, or a context note on such a claim.

        Without `Last-Event-ID` or `since`, the stream starts with the next change. With them, it first
        sends what the log holds after that point, then goes on live: a client that reconnects with the
        last `id` it saw misses nothing and sees nothing twice. The stream ends now and then (the `retry`
        field tells the client to reconnect a second later); an idle one gets a comment line regularly.
    """
    settings: Settings = request.app.state.settings
    filters = (
        split_values("query.type", type),
        split_values("query.entity", entity, lower=False),
        split_values("query.theme", theme),
    )
    resume = int(last_event_id) if last_event_id is not None else None
    change_filter, cursor = await run_to_the_end(_start, database, filters, resume, since)
    hub: ChangeHub = request.app.state.change_hub
    return EventStream(
        _events(hub, database, settings, change_filter, cursor),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
