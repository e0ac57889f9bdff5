"""Claims with their citations, for readers that quote them (the MCP server): the claim services' own
queries, then one query for the citations of the page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from app.db import Database
from app.schemas.citations import CitedClaim, CitedClaimPage, SpannedCitation
from app.schemas.claims import ClaimPublic
from app.services import claims, revisioned
from app.services.citations import citations_of
from app.services.claim_filters import ClaimFilters
from app.services.search.query import parse


def _cite(connection: Connection, found: Sequence[ClaimPublic], base_url: str) -> list[CitedClaim]:
    citations = citations_of(connection, [claim.id for claim in found], base_url=base_url)
    # A claim deleted since its page was read has no citation any more: it is left out, never half-shown.
    return [
        CitedClaim(
            **claim.model_dump(),
            permalink=citation.permalink,
            text_fragment_url=citation.text_fragment_url,
            citation=citation.citation,
        )
        for claim in found
        if (citation := citations.get(claim.id)) is not None
    ]


def cited_claim(database: Database, claim_id: str, *, base_url: str) -> CitedClaim:
    """One claim with its citation; raises Gone for a deleted claim, NotFound for one that never existed."""

    with database.read() as connection:
        cited = _cite(connection, claims.claims_by_id(connection, [claim_id]), base_url)
        if not cited:
            raise revisioned.missing(connection, "claim", claim_id)
    return cited[0]


def spanned_citation(database: Database, claim_id: str, *, base_url: str) -> SpannedCitation:
    """`GET /v1/claims/{id}/cite`'s citation with the quote's span; raises Gone or NotFound."""
    with database.read() as connection:
        found = claims.claims_by_id(connection, [claim_id])
        citations = citations_of(connection, [claim_id], base_url=base_url)
        if not found or claim_id not in citations:
            raise revisioned.missing(connection, "claim", claim_id)
    return SpannedCitation(**citations[claim_id].model_dump(), span=found[0].span)


def cited_claims(
    database: Database, filters: ClaimFilters, *, limit: int, cursor: str | None, base_url: str
) -> CitedClaimPage:
    """A page of `GET /v1/claims` with these filters, each claim with its citation."""
    page = claims.list_claims(database, filters, limit=limit, cursor=cursor)
    with database.read() as connection:
        data = _cite(connection, page.data, base_url)
    return CitedClaimPage(data=data, total=page.meta.total, next_cursor=page.meta.next_cursor)


def search_filters(query: str, *, themes: Sequence[str] = (), entities: Sequence[str] = ()) -> ClaimFilters:
    """Claim filters for a full-text query, best matches first; raises QueryError for an empty query."""
    return ClaimFilters(themes=list(themes), entities=list(entities), query=parse(query), sort="relevance")
