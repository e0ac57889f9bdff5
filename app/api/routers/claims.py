"""/v1/claims: what the documents say, filterable by theme, entity, document and kind."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.deps import ClaimFiltersDep, CursorParam, DatabaseDep, LimitParam
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.schemas.claims import ClaimPublic
from app.schemas.common import Page
from app.services import claims

router = APIRouter(prefix="/v1/claims", tags=["claims"])

ClaimId = Annotated[str, Path(max_length=100, description="The claim's stable id, e.g. `pkit-038`.")]


@router.get("", summary="List claims", responses=responses("claims_page", INVALID))
def list_claims(
    database: DatabaseDep, filters: ClaimFiltersDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[ClaimPublic]:
    """Claims in document order, filtered by theme, entity, document and kind.

    Values of one filter are OR'ed (`theme=a,b` or `theme=a&theme=b`); different filters are AND'ed.
    An unknown theme, entity, document or kind answers 422 naming it, never an empty list.
    Page with `cursor` = `meta.next_cursor` until it is null.
    """
    return claims.list_claims(database, filters, limit=limit, cursor=cursor)


@router.get("/{claim_id}", summary="Get a claim", responses=responses("claim", NOT_FOUND))
def get_claim(database: DatabaseDep, claim_id: ClaimId) -> ClaimPublic:
    """One claim: its statement, the verbatim quote and its span, themes, entities and context notes."""
    return claims.get_claim(database, claim_id)
