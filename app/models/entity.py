"""Entities: the companies, places, groups and segments claims are about."""

from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from app.models.base import key_text

EntityType = Literal["company", "country", "government", "group", "industry", "facility"]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)


class Entity(SQLModel, table=True):
    """A named actor, place or segment; `name_key` is its normalised name for lookups."""

    __table_args__ = (CheckConstraint("type IN ('" + "', '".join(ENTITY_TYPES) + "')", name="type"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, sa_type=key_text(100))
    name: str
    name_key: str = Field(unique=True, sa_type=key_text())
    type: str = Field(max_length=20, index=True)
    description: str
    external_ids: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class EntityAlias(SQLModel, table=True):
    """Another name an entity goes by; `alias_key` is unique across all entities."""

    __tablename__ = "entity_alias"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", ondelete="CASCADE", index=True)
    alias: str
    alias_key: str = Field(unique=True, sa_type=key_text())
    position: int
