"""Table models only: the schema itself is created by the Alembic migrations."""

from app.models.base import metadata
from app.models.claim import CLAIM_KINDS, Claim, ClaimEntity, ClaimKind, ClaimTheme, ContextNote
from app.models.document import Document
from app.models.entity import ENTITY_TYPES, Entity, EntityAlias, EntityType
from app.models.search import SEARCH_KINDS, SearchEntry
from app.models.theme import Theme

__all__ = [
    "CLAIM_KINDS",
    "ENTITY_TYPES",
    "SEARCH_KINDS",
    "Claim",
    "ClaimEntity",
    "ClaimKind",
    "ClaimTheme",
    "ContextNote",
    "Document",
    "Entity",
    "EntityAlias",
    "EntityType",
    "SearchEntry",
    "Theme",
    "metadata",
]
