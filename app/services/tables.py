"""Core `Table` handles for the models, for services that build SQL directly."""

from typing import Any

from sqlalchemy import Table

from app.models import (
    ApiKey,
    Change,
    Claim,
    ClaimBody,
    ClaimEntity,
    ClaimTheme,
    ContextNote,
    Document,
    Entity,
    EntityAlias,
    SearchEntry,
    Theme,
)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


DOCUMENT = _table(Document)
THEME = _table(Theme)
ENTITY = _table(Entity)
ENTITY_ALIAS = _table(EntityAlias)
CLAIM = _table(Claim)
CLAIM_BODY = _table(ClaimBody)
CLAIM_THEME = _table(ClaimTheme)
CLAIM_ENTITY = _table(ClaimEntity)
CONTEXT_NOTE = _table(ContextNote)
SEARCH_ENTRY = _table(SearchEntry)
API_KEY = _table(ApiKey)
CHANGE = _table(Change)
