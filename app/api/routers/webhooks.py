"""Webhooks: admins register receivers of changes, and read how each delivery went."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from app.api.auth import AdminKey
from app.api.deps import DatabaseDep
from app.api.openapi import INVALID, NOT_FOUND, UNAVAILABLE, Responses, illustrated
from app.api.params import CursorParam, LimitParam
from app.api.route_class import ApiRoute
from app.api.write_docs import FORBIDDEN, INVALID_WRITE, UNAUTHORIZED
from app.schemas.common import Page
from app.schemas.webhooks import DeliveryPublic, WebhookCreate, WebhookCreated, WebhookPatch, WebhookPublic
from app.services import webhooks
from app.services.pagination import MAX_INT

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], route_class=ApiRoute)

WebhookId = Annotated[int, Path(ge=1, le=MAX_INT, description="The hook's id.")]


# Illustrative (the seeded database has no hooks): what a hook and a delivery attempt look like.
WEBHOOK_EXAMPLE = {
    "id": 3,
    "url": "https://example.org/sectorfacts-hook",
    "types": ["claim", "note"],
    "entities": ["careem"],
    "themes": [],
    "enabled": True,
    "cursor": 41,
    "failures": 0,
    "next_attempt_at": None,
    "disabled_at": None,
    "disabled_reason": None,
    "created_at": "2026-12-06T09:15:02.417305Z",
    "created_by": "admin",
}
SECRET_EXAMPLE = "whsec_Jx0c5C0m7oYq2W3xJ5fD9k1vQ0d4Zr8b2LwN6tHsYpE"  # noqa: S105 (made up)
DELIVERY_EXAMPLE = {
    "id": 17,
    "change_id": 42,
    "attempt": 2,
    "at": "2026-12-06T09:16:40.010203Z",
    "succeeded": True,
    "status_code": 204,
    "error": None,
    "duration_ms": 38,
}


def _page(item: dict[str, object]) -> dict[str, object]:
    return {"data": [item], "meta": {"total": 1, "limit": 20, "next_cursor": None}}


EXAMPLES = {
    "webhook": WEBHOOK_EXAMPLE,
    "webhook_created": {**WEBHOOK_EXAMPLE, "secret": SECRET_EXAMPLE},
    "webhooks_page": _page(WEBHOOK_EXAMPLE),
    "deliveries_page": _page(DELIVERY_EXAMPLE),
}


def _documented(status: int, description: str, example: str | None, *errors: Responses) -> Responses:
    """A route's answers: its success with the named example, then its refusals."""
    documented: Responses = {status: {"description": description}}
    if example is not None:
        # Written by hand (the seeded database has no hooks to record), with its null fields kept.
        documented[status]["content"] = illustrated("application/json", example, EXAMPLES[example])
    for error in (UNAUTHORIZED, FORBIDDEN, *errors, UNAVAILABLE):
        documented |= error
    return documented


@router.post(
    "",
    status_code=201,
    summary="Register a webhook",
    responses=_documented(
        201, "The new hook, with its secret (shown this once).", "webhook_created", INVALID_WRITE
    ),
)
async def create_webhook(key: AdminKey, database: DatabaseDep, body: WebhookCreate) -> WebhookCreated:
    """Register a URL that each matching change is POSTed to, signed with the hook's own secret.

    The answer holds the secret, which is never shown again. Without `since`, the hook gets the changes
    committed from now on. Filters name theme slugs and entity keys that exist (422 otherwise).
    """
    return await run_in_threadpool(webhooks.create_webhook, database, body, key.name)


@router.get(
    "",
    summary="List webhooks",
    responses=_documented(200, "A page of hooks.", "webhooks_page", INVALID),
)
async def list_webhooks(
    _key: AdminKey, database: DatabaseDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[WebhookPublic]:
    """Every registered hook, oldest first, with how its deliveries stand (never its secret)."""
    return await run_in_threadpool(webhooks.list_webhooks, database, limit=limit, cursor=cursor)


@router.get(
    "/{webhook_id}",
    summary="Get a webhook",
    responses=_documented(200, "The hook.", "webhook", NOT_FOUND, INVALID),
)
async def get_webhook(_key: AdminKey, database: DatabaseDep, webhook_id: WebhookId) -> WebhookPublic:
    """One hook: its filters, its cursor, its failures, and why it was disabled if it was."""
    return await run_in_threadpool(webhooks.get_webhook, database, webhook_id)


@router.patch(
    "/{webhook_id}",
    summary="Edit a webhook",
    responses=_documented(200, "The hook as it now stands.", "webhook", NOT_FOUND, INVALID_WRITE),
)
async def update_webhook(
    _key: AdminKey, database: DatabaseDep, webhook_id: WebhookId, body: WebhookPatch
) -> WebhookPublic:
    """Change a hook's URL or filters, pause it (`enabled: false`) or re-enable it (`enabled: true`).

    A re-enabled hook forgets its failures and resumes after the last change it delivered: the changes
    committed while it was disabled are delivered then, none lost.
    """
    return await run_in_threadpool(webhooks.update_webhook, database, webhook_id, body)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a webhook",
    responses=_documented(204, "Deleted, with its delivery records.", None, NOT_FOUND, INVALID),
)
async def delete_webhook(_key: AdminKey, database: DatabaseDep, webhook_id: WebhookId) -> Response:
    """Remove a hook: nothing more is delivered to it."""
    await run_in_threadpool(webhooks.delete_webhook, database, webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    summary="List a webhook's deliveries",
    responses=_documented(
        200,
        "A page of delivery attempts.",
        "deliveries_page",
        NOT_FOUND,
        INVALID,
    ),
)
async def list_deliveries(
    _key: AdminKey,
    database: DatabaseDep,
    webhook_id: WebhookId,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[DeliveryPublic]:
    """Every attempt to deliver a change to the hook, newest first: when, the receiver's status, the error."""
    return await run_in_threadpool(webhooks.list_deliveries, database, webhook_id, limit=limit, cursor=cursor)
