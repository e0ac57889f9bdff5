"""History: every change to a claim, theme, entity or document, and the whole log for syncing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator, Field

from app.api.deps import DatabaseDep
from app.api.openapi import INVALID, NOT_FOUND
from app.api.params import ClaimId, CursorParam, DocumentId, EntityKey, LimitParam, ThemeSlug
from app.api.route_class import ApiRoute
from app.api.write_docs import changes_ok
from app.db import Database
from app.schemas.common import Page
from app.schemas.history import ChangePublic
from app.services.claims import current_claim
from app.services.documents import current_document
from app.services.entities import current_entity, entity_ids_by_key
from app.services.errors import NotFound
from app.services.keys import lookup_key
from app.services.pagination import MAX_INT
from app.services.themes import current_theme
from app.services.writes import history

router = APIRouter(tags=["history"], route_class=ApiRoute)

HISTORY = changes_ok(NOT_FOUND, INVALID)
ISO_DATE = re.compile(r"\s*[0-9]{4}-")


def _history(database: Database, kind: str, key: str, limit: int, cursor: str | None) -> Page[ChangePublic]:
    page = history.resource_history(database, kind, key, limit=limit, cursor=cursor)
    if page.meta.total == 0:
        # No recorded change: the resource must exist now (seeded), or it never did.
        with database.read() as connection:
            exists = {
                "claim": current_claim,
                "theme": current_theme,
                "document": current_document,
            }[kind](connection, key)
        if exists is None:
            raise NotFound(kind, key)
    return page


@router.get("/v1/claims/{claim_id}/history", summary="Get a claim's history", responses=HISTORY)
def claim_history(
    database: DatabaseDep, claim_id: ClaimId, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ChangePublic]:
    """Every change to the claim and its context notes, oldest first: who, when, before and after.

    Deleted claims keep their history (their GET answers 410 Gone with a link here). What the seed
    loaded is the starting point, not a change.
    """
    return _history(database, "claim", claim_id, limit, cursor)


@router.get("/v1/themes/{slug}/history", summary="Get a theme's history", responses=HISTORY)
def theme_history(
    database: DatabaseDep, slug: ThemeSlug, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ChangePublic]:
    """Every change to the theme, oldest first."""
    return _history(database, "theme", slug, limit, cursor)


@router.get("/v1/entities/{key}/history", summary="Get an entity's history", responses=HISTORY)
def entity_history(
    database: DatabaseDep, key: EntityKey, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ChangePublic]:
    """Every change to the entity (found by slug, name or alias; a deleted one by its slug), oldest first."""
    key = key
    with database.read() as connection:
        found = entity_ids_by_key(connection, [key]).get(key)
        entity = current_entity(connection, found) if found is not None else None
    slug = entity.key if entity is not None else lookup_key(key)
    page = history.resource_history(database, "entity", slug, limit=limit, cursor=cursor)
    if entity is None and page.meta.total == 0:
        raise NotFound("entity", key)
    return page


@router.get("/v1/documents/{document_id}/history", summary="Get a document's history", responses=HISTORY)
def document_history(
    database: DatabaseDep, document_id: DocumentId, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ChangePublic]:
    """Every change to the document's metadata (and its creation through the API), oldest first."""
    return _history(database, "document", document_id, limit, cursor)


def _iso_only(value: object) -> object:
    """Refuse what pydantic would read as a Unix time: `since` is a change id or an ISO 8601 date-time."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError("must be a change id or an ISO 8601 date-time")
    return value


SinceParam = Annotated[
    Annotated[int, Field(ge=0, le=MAX_INT)] | Annotated[dt.datetime, BeforeValidator(_iso_only)] | None,
    Query(
        description="Only changes after this change id, or at or after this ISO 8601 date-time (UTC "
        "unless it says otherwise).",
    ),
]


def since_at(since: dt.datetime) -> dt.datetime:
    """`since` as an aware date-time: UTC unless it says otherwise."""
    return since if since.tzinfo is not None else since.replace(tzinfo=dt.UTC)


@router.get("/v1/changes", summary="List changes", responses=changes_ok(INVALID))
def list_changes(
    database: DatabaseDep,
    since: SinceParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[ChangePublic]:
    """Every change to every resource, in the order they were committed: the feed a mirror syncs from.

    Page with `cursor` until `next_cursor` is null, then keep the last change's `id` and ask again later
    with `since=<that id>`: ids only grow, in commit order, so nothing is missed or seen twice.
    """
    since_id = since if isinstance(since, int) else None
    at = since_at(since) if isinstance(since, dt.datetime) else None
    return history.list_changes(database, since_id=since_id, since_at=at, limit=limit, cursor=cursor)
