"""Webhooks: the URLs an admin registered for pushed changes, each delivery attempt, and the lease that
lets one process deliver at a time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.models.curation import UtcDateTime


class Webhook(SQLModel, table=True):
    """A receiver of changes: where to POST them, which ones, and how far the log has been delivered.

    `cursor` is the id of the last change this hook is done with (delivered, or not matching its
    filters): delivery resumes after it, so a restart loses nothing. `failures` counts the failed
    attempts in a row on the next change to deliver; at the limit the hook is disabled. The secret is
    stored as it is: every delivery is signed with it.
    """

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=String(2000))
    secret: str = Field(sa_type=String(100))
    resource_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    entities: list[str] = Field(sa_column=Column(JSON, nullable=False))
    themes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    cursor: int = Field(sa_column=Column(Integer, nullable=False))
    enabled: bool = Field(sa_column=Column(Boolean, nullable=False))
    failures: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    disabled_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    disabled_reason: str | None = Field(default=None, sa_type=String(500))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    created_by: str = Field(sa_type=String(100))


class WebhookDelivery(SQLModel, table=True):
    """One attempt to deliver one change to one hook, and how it went (deleted with its hook)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_webhook_id_id", "webhook_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False)
    )
    change_id: int = Field(sa_column=Column(Integer, nullable=False))
    attempt: int = Field(sa_column=Column(Integer, nullable=False))
    at: dt.datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    succeeded: bool = Field(sa_column=Column(Boolean, nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    error: str | None = Field(default=None, sa_type=String(500))
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))


class Lease(SQLModel, table=True):
    """A named job only one process may run at a time (webhook delivery): who holds it, until when."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, sa_type=String(50))
    holder: str = Field(sa_type=String(100))
    expires_at: dt.datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
