"""Webhooks registered by admins: made, listed, changed and removed; their delivery attempts listed."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from app.db import Database
from app.models import MAX_ROW_ID
from app.schemas.common import Page, PageMeta
from app.schemas.webhooks import DeliveryPublic, WebhookCreate, WebhookCreated, WebhookPatch, WebhookPublic
from app.services.change_feed import ChangeFilter, last_change_id, resolve_filter
from app.services.errors import NotFound
from app.services.pagination import decode_cursor, encode_cursor
from app.services.tables import WEBHOOK, WEBHOOK_DELIVERY

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def _public(row: Any) -> WebhookPublic:
    values = dict(row._mapping)
    values.pop("secret", None)
    values["types"] = values.pop("resource_types")
    return WebhookPublic(**values)


def hook_filter(row: Any) -> ChangeFilter:
    """The changes a hook's row asks for."""
    return ChangeFilter(
        types=frozenset(row.resource_types), entities=frozenset(row.entities), themes=frozenset(row.themes)
    )


def _filters(
    connection: Connection, types: list[str], entities: list[str], themes: list[str]
) -> ChangeFilter:
    return resolve_filter(connection, types, entities, [theme.lower() for theme in themes])


def create_webhook(database: Database, body: WebhookCreate, created_by: str) -> WebhookCreated:
    """Register a hook; its secret is in the answer, and nowhere else ever again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with database.write() as connection:
        chosen = _filters(connection, list(body.types), body.entities, body.themes)
        cursor = body.since if body.since is not None else last_change_id(connection)
        values = {
            "url": body.url,
            "secret": secret,
            "resource_types": sorted(chosen.types),
            "entities": sorted(chosen.entities),
            "themes": sorted(chosen.themes),
            "cursor": cursor,
            "enabled": True,
            "failures": 0,
            "created_at": dt.datetime.now(dt.UTC),
            "created_by": created_by,
        }
        row = connection.execute(insert(WEBHOOK).values(values).returning(*WEBHOOK.c)).one()
    return WebhookCreated(**_public(row).model_dump(), secret=secret)


def list_webhooks(database: Database, *, limit: int, cursor: str | None = None) -> Page[WebhookPublic]:
    """Every hook, oldest first."""
    after = decode_cursor("webhooks", cursor, (int,))[0] if cursor else 0
    with database.read() as connection:
        total = connection.execute(select(func.count()).select_from(WEBHOOK)).scalar_one()
        rows = connection.execute(
            select(WEBHOOK).where(WEBHOOK.c.id > after).order_by(WEBHOOK.c.id).limit(limit + 1)
        ).all()
    next_cursor = encode_cursor("webhooks", [rows[limit - 1].id]) if len(rows) > limit else None
    data = [_public(row) for row in rows[:limit]]
    return Page[WebhookPublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))


def _row(connection: Connection, webhook_id: int) -> Any:
    if webhook_id > MAX_ROW_ID:  # no such hook, and PostgreSQL would refuse the comparison (a 500)
        raise NotFound("webhook", str(webhook_id))
    row = connection.execute(select(WEBHOOK).where(WEBHOOK.c.id == webhook_id)).one_or_none()
    if row is None:
        raise NotFound("webhook", str(webhook_id))
    return row


def get_webhook(database: Database, webhook_id: int) -> WebhookPublic:
    """One hook (404 when there is none)."""
    with database.read() as connection:
        return _public(_row(connection, webhook_id))


def update_webhook(database: Database, webhook_id: int, patch: WebhookPatch) -> WebhookPublic:
    """Change a hook's URL or filters, or enable or disable it; enabling forgets its failures."""
    changes = patch.changes()
    with database.write() as connection:
        row = _row(connection, webhook_id)
        values: dict[str, Any] = {}
        if "url" in changes:
            values["url"] = changes["url"]
        if {"types", "entities", "themes"} & changes.keys():
            chosen = _filters(
                connection,
                list(changes.get("types", row.resource_types)),
                list(changes.get("entities", row.entities)),
                list(changes.get("themes", row.themes)),
            )
            values |= {
                "resource_types": sorted(chosen.types),
                "entities": sorted(chosen.entities),
                "themes": sorted(chosen.themes),
            }
        if changes.get("enabled") is True:
            values |= {"enabled": True, "failures": 0, "next_attempt_at": None}
            values |= {"disabled_at": None, "disabled_reason": None}
        elif changes.get("enabled") is False and row.enabled:
            values |= {"enabled": False, "disabled_at": dt.datetime.now(dt.UTC)}
            values["disabled_reason"] = "Disabled by an admin."
        if values:
            connection.execute(update(WEBHOOK).where(WEBHOOK.c.id == webhook_id).values(values))
        return _public(_row(connection, webhook_id))


def delete_webhook(database: Database, webhook_id: int) -> None:
    """Remove a hook and its delivery records."""
    with database.write() as connection:
        _row(connection, webhook_id)
        connection.execute(delete(WEBHOOK_DELIVERY).where(WEBHOOK_DELIVERY.c.webhook_id == webhook_id))
        connection.execute(delete(WEBHOOK).where(WEBHOOK.c.id == webhook_id))


def list_deliveries(
    database: Database, webhook_id: int, *, limit: int, cursor: str | None = None
) -> Page[DeliveryPublic]:
    """A hook's delivery attempts, newest first."""
    before = decode_cursor("deliveries", cursor, (int,))[0] if cursor else None
    columns = [column for column in WEBHOOK_DELIVERY.c if column.name != "webhook_id"]
    where = [WEBHOOK_DELIVERY.c.webhook_id == webhook_id]
    with database.read() as connection:
        _row(connection, webhook_id)
        total = connection.execute(
            select(func.count()).select_from(WEBHOOK_DELIVERY).where(*where)
        ).scalar_one()
        query = select(*columns).where(*where).order_by(WEBHOOK_DELIVERY.c.id.desc()).limit(limit + 1)
        if before is not None:
            query = query.where(WEBHOOK_DELIVERY.c.id < before)
        rows = connection.execute(query).all()
    next_cursor = encode_cursor("deliveries", [rows[limit - 1].id]) if len(rows) > limit else None
    data = [DeliveryPublic(**row._mapping) for row in rows[:limit]]
    return Page[DeliveryPublic](data=data, meta=PageMeta(total=total, limit=limit, next_cursor=next_cursor))
