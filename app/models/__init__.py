"""Table models only: the schema itself is created by the Alembic migrations."""

from app.models.base import metadata
from app.models.claim import CLAIM_KINDS, Claim, ClaimEntity, ClaimKind, ClaimTheme, ContextNote
from app.models.claim_body import ClaimBody
from app.models.curation import (
    CHANGE_ACTIONS,
    KEY_SCOPES,
    RESOURCE_TYPES,
    ApiKey,
    Change,
    ChangeAction,
    KeyScope,
    ResourceType,
)
from app.models.document import Document
from app.models.entity import ENTITY_TYPES, Entity, EntityAlias, EntityType
from app.models.search import SEARCH_KINDS, SearchEntry
from app.models.theme import Theme

__all__ = [
    "CHANGE_ACTIONS",
    "CLAIM_KINDS",
    "ENTITY_TYPES",
    "KEY_SCOPES",
    "RESOURCE_TYPES",
    "SEARCH_KINDS",
    "ApiKey",
    "Change",
    "ChangeAction",
    "Claim",
    "ClaimBody",
    "ClaimEntity",
    "ClaimKind",
    "ClaimTheme",
    "ContextNote",
    "Document",
    "Entity",
    "EntityAlias",
    "EntityType",
    "KeyScope",
    "ResourceType",
    "SearchEntry",
    "Theme",
    "metadata",
]
