"""The entity contract."""

from typing import Any

from app.models import EntityType
from app.schemas.common import Schema


class EntityPublic(Schema):
    """An entity, its other names, its ids elsewhere and how many claims name it."""

    slug: str
    name: str
    type: EntityType
    description: str
    aliases: list[str]
    external_ids: dict[str, Any]
    claim_count: int
