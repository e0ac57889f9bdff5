"""The count check after the write benchmark's load: no write lost, none duplicated, tallies exact.

Each acknowledged write is looked for three ways: through the API (a kept claim answers with the ETag,
statement and themes of its last write; a deleted one answers 410), in the change log (one create, one
update and one delete a claim, in that order, and nothing else from the benchmark's key), and in the
counts (the claims the API and the tallies report equal the rows in the claim tables).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx2
from sqlalchemy import func, select

from app.db import Database
from app.services.tables import CHANGE, CLAIM, CLAIM_THEME, THEME
from bench.write_load import Tally, Written

PAGE = 100


async def _claim_problems(client: httpx2.AsyncClient, written: Written) -> list[str]:
    response = await client.get(f"/v1/claims/{written.claim_id}")
    label = f"claim {written.claim_id}"
    if written.deleted:
        return (
            []
            if response.status_code == 410
            else [f"{label}: deleted (204) but GET answers {response.status_code}"]
        )
    if response.status_code != 200:
        return [f"{label}: created (201) and not deleted, but GET answers {response.status_code}"]
    problems = []
    if response.headers["etag"] != written.etags[-1]:
        problems.append(
            f"{label}: ETag {response.headers['etag']} is not the last write's {written.etags[-1]}"
        )
    claim = response.json()
    if claim["statement"] != written.statement:
        problems.append(f"{label}: statement {claim['statement']!r} is not the last write's")
    if sorted(theme["slug"] for theme in claim["themes"]) != sorted(written.themes):
        problems.append(f"{label}: themes {claim['themes']} are not the last write's {written.themes}")
    return problems


async def _api_claims(base_url: str, tally: Tally) -> tuple[list[str], int, dict[str, int]]:
    """Problems with each written claim as GET answers it; the API's claim total and theme counts."""
    async with httpx2.AsyncClient(base_url=base_url, timeout=120) as client:
        gate = asyncio.Semaphore(16)

        async def check(written: Written) -> list[str]:
            async with gate:
                return await _claim_problems(client, written)

        found = await asyncio.gather(*(check(written) for written in tally.claims))
        total = (await client.get("/v1/claims", params={"limit": 1})).json()["meta"]["total"]
        themes: dict[str, int] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/themes", params=params)).json()
            themes |= {theme["slug"]: theme["claim_count"] for theme in page["data"]}
            if not (cursor := page["meta"].get("next_cursor")):
                break
    return [problem for problems in found for problem in problems], int(total), themes


def _log_problems(database: Database, key_name: str, tally: Tally) -> list[str]:
    """The change log holds exactly the acknowledged writes: per claim create, update[, delete]."""
    with database.read() as connection:
        rows = connection.execute(
            select(CHANGE.c.resource_type, CHANGE.c.resource_id, CHANGE.c.action)
            .where(CHANGE.c.key_name == key_name)
            .order_by(CHANGE.c.id)
        ).all()
    logged: dict[str, list[str]] = {}
    problems = [
        f"change log: a {row.resource_type} change by the benchmark"
        for row in rows
        if row.resource_type != "claim"
    ]
    for row in rows:
        logged.setdefault(row.resource_id, []).append(row.action)
    acknowledged = {
        w.claim_id: ["create", *(["update"] if w.patched else []), *(["delete"] if w.deleted else [])]
        for w in tally.claims
    }
    for claim_id, actions in acknowledged.items():
        if logged.get(claim_id) != actions:
            problems.append(
                f"change log: claim {claim_id} has {logged.get(claim_id)}, acknowledged {actions}"
            )
    problems += [
        f"change log: claim {claim_id} was never acknowledged"
        for claim_id in logged.keys() - acknowledged.keys()
    ]
    return problems


def _table_counts(database: Database) -> tuple[int, dict[str, int]]:
    with database.read() as connection:
        claims = int(connection.execute(select(func.count()).select_from(CLAIM)).scalar_one())
        per_theme = connection.execute(
            select(THEME.c.slug, func.count(CLAIM_THEME.c.claim_id))
            .select_from(THEME.outerjoin(CLAIM_THEME, CLAIM_THEME.c.theme_id == THEME.c.id))
            .group_by(THEME.c.slug)
        ).all()
    return claims, {slug: int(count) for slug, count in per_theme}


def count_check(
    base_url: str, database: Database, key_name: str, tally: Tally, claims_before: int
) -> dict[str, Any]:
    """Count every acknowledged write against the API, the change log and the tables; problems listed."""
    ids = Counter(written.claim_id for written in tally.claims)
    problems = [
        f"claim id {claim_id} given to {count} creates" for claim_id, count in ids.items() if count > 1
    ]
    api_problems, api_total, api_themes = asyncio.run(_api_claims(base_url, tally))
    problems += api_problems
    problems += _log_problems(database, key_name, tally)
    claims, per_theme = _table_counts(database)
    kept = sum(1 for written in tally.claims if not written.deleted)
    if claims != claims_before + kept:
        problems.append(f"claims: {claims} rows, expected {claims_before} before + {kept} kept")
    if api_total != claims:
        problems.append(f"claims: the API's total is {api_total}, the table has {claims}")
    problems += [
        f"theme {slug}: the API counts {api_themes.get(slug)} claims, the links {count}"
        for slug, count in per_theme.items()
        if api_themes.get(slug) != count
    ]
    return {
        "created": len(tally.claims),
        "patched": sum(written.patched for written in tally.claims),
        "deleted": sum(written.deleted for written in tally.claims),
        "kept": kept,
        "claims_before": claims_before,
        "claims_after": claims,
        "unexpected_answers": len(tally.unexpected),
        "problems": problems,
    }
