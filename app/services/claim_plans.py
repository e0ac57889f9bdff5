"""How a filtered claim list is counted and paged, chosen so neither grows with the whole corpus.

`meta.total` is read from `claim_tally` (kept exact by triggers, migration 0004) when the list has at
most one value per filter and one filter; an intersection of single values (theme AND entity …) is
counted exactly by walking its smallest member's links (sizes from the tallies) and probing the others'
primary keys: its cost grows with that member, not with the corpus. Anything else is counted plainly.

A page either walks the claims in document order (the order index) testing each one's membership with a
primary-key probe — cheap when matches are dense: about `limit x claims / total` probes, from the
cursor as from the start — or, when matches are sparse, reads the matches through the filter's index and
sorts them (`total` rows). The cheaper one is picked from `total` and the tallied corpus size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, func, select

from app.services.claim_filters import ResolvedFilters
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME
from app.services.tallies import tally


@dataclass(frozen=True)
class _Atom:
    """One single-valued filter: a dimension and the value the tally names it by."""

    dimension: str
    value: Any

    @property
    def tally_value(self) -> str:
        return str(self.value)


def _atoms(resolved: ResolvedFilters) -> list[_Atom] | None:
    """The filters as single values, or None when one filter ORs several values or there is a query."""
    groups: list[tuple[str, list[Any]]] = [
        *(("theme", ids) for ids in resolved.theme_ids),
        *(("entity", ids) for ids in resolved.entity_ids),
        *(("document", ids) for ids in resolved.document_ids),
    ]
    if resolved.kinds:
        groups.append(("kind", resolved.kinds))
    if resolved.query is not None or any(len(set(values)) != 1 for _, values in groups):
        return None
    return [_Atom(dimension, values[0]) for dimension, values in groups]


def _member(atom: _Atom) -> ColumnElement[bool]:
    """Claim-row condition for one value: a primary-key probe for links, a column test otherwise."""
    if atom.dimension in {"theme", "entity"}:
        # An alias, so that the probe correlates with the claim, never with a link table of the outer query.
        link = (CLAIM_THEME if atom.dimension == "theme" else CLAIM_ENTITY).alias()
        value = link.c.theme_id if atom.dimension == "theme" else link.c.entity_id
        return exists().where(link.c.claim_id == CLAIM.c.id, value == atom.value).correlate(CLAIM)
    column = CLAIM.c.document_id if atom.dimension == "document" else CLAIM.c.kind
    condition: ColumnElement[bool] = column == atom.value
    return condition


def _driven(atom: _Atom) -> ColumnElement[bool]:
    """Claim-row condition that SQLite answers by reading the value's own index (the plan's driver)."""
    if atom.dimension in {"theme", "entity"}:
        link = CLAIM_THEME if atom.dimension == "theme" else CLAIM_ENTITY
        value = link.c.theme_id if atom.dimension == "theme" else link.c.entity_id
        return CLAIM.c.id.in_(select(link.c.claim_id).where(value == atom.value))
    return _member(atom)


@dataclass(frozen=True)
class ClaimPlan:
    """How many claims match, and the conditions that find a page of them cheapest."""

    total: int
    page_conditions: list[ColumnElement[Any]]


def plan(
    connection: Connection, resolved: ResolvedFilters, where: list[ColumnElement[Any]], *, limit: int
) -> ClaimPlan:
    """Count the matching claims (exactly) and choose how to read a page of `limit` of them."""
    atoms = _atoms(resolved)
    if atoms is None:
        total = int(connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one())
        return ClaimPlan(total, where)
    claims = tally(connection, "claim")
    if not atoms:
        return ClaimPlan(claims, where)
    sizes = {atom: tally(connection, atom.dimension, atom.tally_value) for atom in atoms}
    driver = min(atoms, key=lambda atom: sizes[atom])
    others = [_member(atom) for atom in atoms if atom is not driver]
    if len(atoms) == 1 or sizes[driver] == 0:
        total = sizes[driver]
    elif driver.dimension in {"theme", "entity"}:
        # Walk the smallest value's links, probing the others' primary keys.
        link = CLAIM_THEME if driver.dimension == "theme" else CLAIM_ENTITY
        value = link.c.theme_id if driver.dimension == "theme" else link.c.entity_id
        statement = (
            select(func.count())
            .select_from(link)
            .join(CLAIM, CLAIM.c.id == link.c.claim_id)
            .where(value == driver.value, *others)
        )
        total = int(connection.execute(statement).scalar_one())
    else:
        statement = select(func.count()).select_from(CLAIM).where(_member(driver), *others)
        total = int(connection.execute(statement).scalar_one())
    # Walking the order index finds a page after about (limit + 1) x claims / total probes; reading the
    # smallest value's matches and sorting them costs what that value holds.
    if (limit + 1) * claims / max(total, 1) < sizes[driver]:
        return ClaimPlan(total, [_member(atom) for atom in atoms])
    return ClaimPlan(total, [_driven(driver), *others])
