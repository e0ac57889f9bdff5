"""The facet and cross-tab contracts: how many claims fall under each theme, entity, kind and document."""

from typing import Literal, get_args

from pydantic import Field

from app.models import EntityType
from app.schemas.common import Schema

Dimension = Literal["theme", "entity", "kind", "document"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)


class FacetValue(Schema):
    """One value of a facet: how many claims it would match, and whether the request already selects it."""

    value: str = Field(
        description="What to pass to the filter: theme slug, entity slug, kind or document id."
    )
    label: str = Field(description="The theme's or entity's name, the document's title, or the kind.")
    count: int = Field(ge=0, description="Claims matching the other filters and this value.")
    selected: bool = Field(description="The request's filter names this value.")


class EntityFacetValue(FacetValue):
    """An entity facet value, with the entity's type."""

    type: EntityType


class FacetCounts(Schema):
    """Each facet's values, by count (largest first), then label."""

    theme: list[FacetValue]
    entity: list[EntityFacetValue]
    kind: list[FacetValue]
    document: list[FacetValue]
    relation: list[FacetValue] = Field(
        description="Claims in a relation of each type (supports, contradicts, qualifies, same-as, part-of), "
        "as subject or object: the `relation` filter's values, every type listed."
    )


class ClaimFacets(Schema):
    """Counts per theme, entity, kind and document over the filtered claims."""

    total: int = Field(ge=0, description="Claims matching every filter: `meta.total` of the same /v1/claims.")
    facets: FacetCounts


class AxisValue(Schema):
    """A row or column of the cross-tab."""

    value: str = Field(description="Theme slug, entity slug, kind or document id.")
    label: str


class ClaimMatrix(Schema):
    """A cross-tab of claim counts: `counts[i][j]` claims carry both `rows[i]` and `cols[j]`."""

    rows: list[AxisValue]
    cols: list[AxisValue]
    counts: list[list[int]] = Field(description="One list per row, one count per column.")
    row_totals: list[int] = Field(
        description="Distinct claims carrying each row value (not the row's sum: a claim may have several "
        "column values, or none)."
    )
    col_totals: list[int] = Field(description="Distinct claims carrying each column value.")
    total: int = Field(ge=0, description="Distinct claims matching the filters.")
