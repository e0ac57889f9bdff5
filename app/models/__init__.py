"""Table models only, derived tables included: the schema itself is created by the Alembic migrations."""

from app.models.base import MAX_ROW_ID, data_tables, exists_on, metadata
from app.models.claim import (
    CLAIM_KINDS,
    Claim,
    ClaimEntity,
    ClaimKind,
    ClaimQuantity,
    ClaimTheme,
    ContextNote,
)
from app.models.claim_body import ClaimBody
from app.models.claim_number import ClaimNumber
from app.models.claim_order import ClaimByEntity, ClaimByTheme, ClaimPair
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
from app.models.document import Document, DocumentVersion
from app.models.entity import ENTITY_TYPES, Entity, EntityAlias, EntityType
from app.models.relation import RELATION_TYPES, ClaimRelation, RelationType
from app.models.search import SEARCH_KINDS, SearchEntry, SearchFts, SearchPosting, SearchTally, SearchTerm
from app.models.tally import ClaimTally, DataRevision
from app.models.theme import Theme
from app.models.webhook import Lease, Webhook, WebhookDelivery

__all__ = [
    "CHANGE_ACTIONS",
    "CLAIM_KINDS",
    "ENTITY_TYPES",
    "KEY_SCOPES",
    "MAX_ROW_ID",
    "RELATION_TYPES",
    "RESOURCE_TYPES",
    "SEARCH_KINDS",
    "ApiKey",
    "Change",
    "ChangeAction",
    "Claim",
    "ClaimBody",
    "ClaimByEntity",
    "ClaimByTheme",
    "ClaimEntity",
    "ClaimKind",
    "ClaimNumber",
    "ClaimPair",
    "ClaimQuantity",
    "ClaimRelation",
    "ClaimTally",
    "ClaimTheme",
    "ContextNote",
    "DataRevision",
    "Document",
    "DocumentVersion",
    "Entity",
    "EntityAlias",
    "EntityType",
    "KeyScope",
    "Lease",
    "RelationType",
    "ResourceType",
    "SearchEntry",
    "SearchFts",
    "SearchPosting",
    "SearchTally",
    "SearchTerm",
    "Theme",
    "Webhook",
    "WebhookDelivery",
    "data_tables",
    "exists_on",
    "metadata",
]
