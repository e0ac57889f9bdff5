"""A cross-tab of claim counts between two dimensions, over the filtered claims."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from app.db import Database
from app.schemas.facets import AxisValue, ClaimMatrix, Dimension
from app.services.claim_filters import ClaimFilters, conditions
from app.services.dimensions import AXES, claim_count, claims_joined
from app.services.tables import CLAIM


def _totals(connection: Connection, dimension: Dimension, where: list[ColumnElement[Any]]) -> list[Any]:
    """The values of `dimension` some filtered claim carries, with how many: most first, then by label."""
    axis = AXES[dimension]
    return sorted(
        connection.execute(
            select(axis.value.label("value"), axis.label.label("label"), claim_count())
            .select_from(claims_joined(dimension))
            .where(*where)
            .group_by(axis.value, axis.label)
        ).all(),
        key=lambda row: (-row.claim_count, row.label, row.value),
    )


def claim_matrix(
    database: Database, filters: ClaimFilters, *, rows: Dimension, cols: Dimension
) -> ClaimMatrix:
    """How many filtered claims carry each pair of a `rows` value and a `cols` value (they must differ).

    Rows and columns are the values some filtered claim carries, largest total first, then by label.
    """
    if rows == cols:
        raise ValueError("rows and cols must be different dimensions")
    row_axis, col_axis = AXES[rows], AXES[cols]
    with database.read() as connection:
        where = conditions(connection, filters)
        total = connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one()
        row_values = _totals(connection, rows, where)
        col_values = _totals(connection, cols, where)
        cells = connection.execute(
            select(row_axis.value.label("row"), col_axis.value.label("col"), claim_count())
            .select_from(claims_joined(rows, cols))
            .where(*where)
            .group_by(row_axis.value, col_axis.value)
        ).all()
    row_index = {row.value: i for i, row in enumerate(row_values)}
    col_index = {col.value: j for j, col in enumerate(col_values)}
    counts = [[0] * len(col_values) for _ in row_values]
    for cell in cells:
        counts[row_index[cell.row]][col_index[cell.col]] = int(cell.claim_count)
    return ClaimMatrix(
        rows=[AxisValue(value=row.value, label=row.label) for row in row_values],
        cols=[AxisValue(value=col.value, label=col.label) for col in col_values],
        counts=counts,
        row_totals=[int(row.claim_count) for row in row_values],
        col_totals=[int(col.claim_count) for col in col_values],
        total=total,
    )
