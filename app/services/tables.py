"""Core `Table` handles for the models, for services that build SQL directly (derived tables too: read
only, their triggers write them)."""

from typing import Any

from sqlalchemy import Table

from app.models import (
    ApiKey,
    Change,
    Claim,
    ClaimBody,
    ClaimByEntity,
    ClaimByTheme,
    ClaimEntity,
    ClaimNumber,
    ClaimPair,
    ClaimQuantity,
    ClaimRelation,
    ClaimTally,
    ClaimTheme,
    ContextNote,
    DataRevision,
    Document,
    DocumentVersion,
    Entity,
    EntityAlias,
    Lease,
    SearchEntry,
    SearchFts,
    SearchPosting,
    SearchTally,
    SearchTerm,
    Theme,
    Webhook,
    WebhookDelivery,
)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


DOCUMENT = _table(Document)
DOCUMENT_VERSION = _table(DocumentVersion)
THEME = _table(Theme)
ENTITY = _table(Entity)
ENTITY_ALIAS = _table(EntityAlias)
CLAIM = _table(Claim)
CLAIM_BODY = _table(ClaimBody)
CLAIM_NUMBER = _table(ClaimNumber)
CLAIM_THEME = _table(ClaimTheme)
CLAIM_QUANTITY = _table(ClaimQuantity)
CLAIM_ENTITY = _table(ClaimEntity)
CONTEXT_NOTE = _table(ContextNote)
SEARCH_ENTRY = _table(SearchEntry)
API_KEY = _table(ApiKey)
CHANGE = _table(Change)
CLAIM_TALLY = _table(ClaimTally)
DATA_REVISION = _table(DataRevision)
CLAIM_PAIR = _table(ClaimPair)
CLAIM_RELATION = _table(ClaimRelation)
CLAIM_BY_THEME = _table(ClaimByTheme)
CLAIM_BY_ENTITY = _table(ClaimByEntity)
SEARCH_FTS = _table(SearchFts)
SEARCH_POSTING = _table(SearchPosting)
SEARCH_TERM = _table(SearchTerm)
SEARCH_TALLY = _table(SearchTally)
WEBHOOK = _table(Webhook)
WEBHOOK_DELIVERY = _table(WebhookDelivery)
LEASE = _table(Lease)
