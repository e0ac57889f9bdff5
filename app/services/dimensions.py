"""The four ways claims are grouped (theme, entity, kind, document), as joins from the claim table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, String, Table, cast, distinct, func, null

from app.schemas.facets import Dimension
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, DOCUMENT, ENTITY, THEME


@dataclass(frozen=True)
class Axis:
    """How to reach one dimension's values from a claim row, and what to show for each."""

    value: ColumnElement[str]
    label: ColumnElement[str]
    type: ColumnElement[Any]
    joins: tuple[tuple[Table, ColumnElement[bool]], ...] = ()


_NO_TYPE = cast(null(), String)

AXES: dict[Dimension, Axis] = {
    "theme": Axis(
        THEME.c.slug,
        THEME.c.name,
        _NO_TYPE,
        (
            (CLAIM_THEME, CLAIM_THEME.c.claim_id == CLAIM.c.id),
            (THEME, THEME.c.id == CLAIM_THEME.c.theme_id),
        ),
    ),
    "entity": Axis(
        ENTITY.c.slug,
        ENTITY.c.name,
        ENTITY.c.type,
        (
            (CLAIM_ENTITY, CLAIM_ENTITY.c.claim_id == CLAIM.c.id),
            (ENTITY, ENTITY.c.id == CLAIM_ENTITY.c.entity_id),
        ),
    ),
    "kind": Axis(CLAIM.c.kind, CLAIM.c.kind, _NO_TYPE),
    "document": Axis(
        DOCUMENT.c.id, DOCUMENT.c.title, _NO_TYPE, ((DOCUMENT, DOCUMENT.c.id == CLAIM.c.document_id),)
    ),
}


def claims_joined(*dimensions: Dimension) -> FromClause:
    """The claim table joined to each dimension's values: one row per claim and value (per pair of values).

    The dimensions must differ: each table appears once.
    """
    source: FromClause = CLAIM
    for dimension in dimensions:
        for table, on in AXES[dimension].joins:
            source = source.join(table, on)
    return source


def claim_count() -> ColumnElement[int]:
    """Distinct claims in a group (a claim joined to two values of another dimension counts once)."""
    return func.count(distinct(CLAIM.c.id)).label("claim_count")
