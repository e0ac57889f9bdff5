"""The related-entities contract: what an entity's claims also name, and the themes they carry."""

from pydantic import Field

from app.models import EntityType
from app.schemas.claims import EntityRef
from app.schemas.common import Schema


class RelatedEntity(Schema):
    """Another entity named in some of the same claims."""

    slug: str
    name: str
    type: EntityType
    count: int = Field(ge=1, description="Claims naming both entities.")
    claim_ids: list[str] = Field(description="Those claims, in document order.")


class RelatedTheme(Schema):
    """A theme some of the entity's claims carry."""

    slug: str
    name: str
    count: int = Field(ge=1, description="The entity's claims carrying this theme.")
    claim_ids: list[str] = Field(description="Those claims, in document order.")


class EntityRelations(Schema):
    """An entity, the entities it co-occurs with in claims, and the themes of its claims."""

    entity: EntityRef
    entities: list[RelatedEntity] = Field(description="By count (largest first), then name.")
    themes: list[RelatedTheme] = Field(description="By count (largest first), then name.")
