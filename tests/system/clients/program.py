"""A small Python program on the client openapi-python-client generates from docs/openapi.json.

tests/system/test_clients.py generates the `sectorfacts_client` package, type-checks this program
against it with `mypy --strict` and runs it against a live server. Every answer is read through the
client's typed models: a page of claims, a claim, and problem details parsed as `Problem`.
Usage: python program.py BASE_URL WRITE_KEY THEME ENTITY; prints what it read as one JSON object.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from sectorfacts_client import AuthenticatedClient, Client
from sectorfacts_client.api.claims import get_claim, list_claims
from sectorfacts_client.api.curation import create_claim, update_claim
from sectorfacts_client.api.themes import list_theme_claims
from sectorfacts_client.models import (
    ClaimCreate,
    ClaimCreateKind,
    ClaimPage,
    ClaimPatch,
    ClaimPublic,
    Problem,
)


def _page(answer: object) -> ClaimPage:
    if not isinstance(answer, ClaimPage):
        raise SystemExit(f"expected a page of claims, got {answer!r}")
    return answer


def _claim(answer: object) -> ClaimPublic:
    if not isinstance(answer, ClaimPublic):
        raise SystemExit(f"expected a claim, got {answer!r}")
    return answer


def _problem(answer: object) -> dict[str, Any]:
    if not isinstance(answer, Problem):
        raise SystemExit(f"expected a problem, got {answer!r}")
    return {"status": answer.status, "type": answer.type_, "detail": answer.detail}


def main(base_url: str, key: str, theme: str, entity: str) -> dict[str, Any]:
    """List, page, get, read problems, create and edit, as a user of the generated client would."""
    client = Client(base_url=base_url)
    writer = AuthenticatedClient(base_url=base_url, token=key)

    # A theme's claims, every page, following the cursor.
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = _page(list_theme_claims.sync(theme, client=client, limit=2, cursor=cursor))
        pages.append([claim.id for claim in page.data])
        if not isinstance(page.meta.next_cursor, str):
            break
        cursor = page.meta.next_cursor

    # An entity's claims through the claim list's filter, and one claim.
    by_entity = _page(list_claims.sync(client=client, entity=[entity], limit=100))
    # The first quoted one: a cited source's paraphrase has no quote or span.
    first = next(claim for claim in by_entity.data if claim.quote is not None)
    one = _claim(get_claim.sync(first.id, client=client))
    if one.span is None:
        raise SystemExit(f"a quoted claim without a span: {one!r}")

    # Problem details: an unknown claim (404) and an unknown theme (422).
    missing = get_claim.sync_detailed("no-such-claim", client=client)
    unknown = list_claims.sync_detailed(client=client, theme=["no-such-theme"])

    # A new claim with a write key, an edit sending its ETag back as If-Match, then a stale one.
    new_claim = ClaimCreate(
        document=first.document_id,
        statement="Pakistan's tech sector will create jobs.",
        quote="creating jobs",
        kind=ClaimCreateKind.PREDICTION,
        themes=[theme],
        entities=[entity],
    )
    created = create_claim.sync_detailed(client=writer, body=new_claim)
    made = _claim(created.parsed)
    etag = created.headers["etag"]
    patch = ClaimPatch(statement="Pakistan's technology sector will create jobs.")
    edited = update_claim.sync_detailed(made.id, client=writer, body=patch, if_match=etag)
    stale_patch = ClaimPatch(statement="An edit made on an old copy.")
    stale = update_claim.sync_detailed(made.id, client=writer, body=stale_patch, if_match=etag)

    return {
        "theme_pages": pages,
        "theme_total": page.meta.total,
        "entity_claims": [claim.id for claim in by_entity.data],
        "entity_total": by_entity.meta.total,
        "claim": {"id": one.id, "quote": one.quote, "span": [one.span.start, one.span.end]},
        "first_quote": first.quote,
        "not_found": _problem(missing.parsed),
        "not_found_status": int(missing.status_code),
        "invalid": _problem(unknown.parsed),
        "invalid_status": int(unknown.status_code),
        "created": {"id": made.id, "status": int(created.status_code), "etag": etag},
        "edited": {"statement": _claim(edited.parsed).statement, "etag": edited.headers.get("etag")},
        "stale": _problem(stale.parsed),
        "stale_status": int(stale.status_code),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
