"""Curation: the API keys that may write, and the log of every change they made."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Dialect, Index, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from app.models.base import key_text

KeyScope = Literal["read", "write", "admin"]
KEY_SCOPES: tuple[str, ...] = get_args(KeyScope)
ResourceType = Literal["claim", "theme", "entity", "document", "note", "relation"]
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)
ChangeAction = Literal["create", "update", "delete"]
CHANGE_ACTIONS: tuple[str, ...] = get_args(ChangeAction)


def _in(values: tuple[str, ...]) -> str:
    return "('" + "', '".join(values) + "')"


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC timestamp on every engine: SQLite stores it naive, so reading makes it aware again."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTime needs an aware datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ApiKey(SQLModel, table=True):
    """A key that may write: only its SHA-256 is stored; `prefix` finds it and names it in listings."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint(f"scope IN {_in(KEY_SCOPES)}", name="scope"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    scope: str = Field(max_length=10)
    prefix: str = Field(index=True, sa_type=key_text(16))
    key_hash: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class Change(SQLModel, table=True):
    """One write to one resource: who, when, and the resource's public shape before and after.

    `id` orders the log (writers are serialised, so ids are in commit order) and is the sync cursor.
    `claim_id` is the claim a claim, context-note or relation change concerns (a relation's subject), so
    a claim's history has its notes and the relations it makes.
    """

    __tablename__ = "change"
    __table_args__ = (
        CheckConstraint(f"resource_type IN {_in(RESOURCE_TYPES)}", name="resource_type"),
        CheckConstraint(f"action IN {_in(CHANGE_ACTIONS)}", name="action"),
        Index("ix_change_resource_type_resource_id_id", "resource_type", "resource_id", "id"),
        Index("ix_change_claim_id_id", "claim_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    key_id: int | None = Field(default=None, foreign_key="api_key.id")
    key_name: str = Field(sa_type=String(100))
    resource_type: str = Field(max_length=10)
    resource_id: str = Field(sa_type=key_text(100))
    claim_id: str | None = Field(default=None, sa_type=key_text(100))
    action: str = Field(max_length=10)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
