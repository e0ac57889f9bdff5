"""/v1/matrix: a cross-tab of claim counts between two of theme, entity, kind and document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from app.api.deps import DatabaseDep, claim_filters
from app.api.openapi import INVALID, responses
from app.api.params import ClaimFilterQuery
from app.api.problems import BadParameter
from app.api.query_models import QueryModel
from app.api.reading import run_read
from app.api.route_class import ApiRoute
from app.schemas.facets import ClaimMatrix, Dimension
from app.services import matrix


class MatrixQuery(ClaimFilterQuery):
    """The claim filters, and the two dimensions to cross."""

    rows: Dimension = Field(
        default="theme", description="What the rows are: theme, entity, kind or document."
    )
    cols: Dimension = Field(default="entity", description="What the columns are; not the same as `rows`.")


MATRIX_QUERY = QueryModel(MatrixQuery)

router = APIRouter(prefix="/v1/matrix", tags=["claims"], route_class=ApiRoute)


@router.get(
    "",
    summary="Cross-tabulate claims",
    responses=responses("matrix", INVALID),
    openapi_extra=MATRIX_QUERY.openapi_extra(),
)
async def claim_matrix(
    database: DatabaseDep, query: Annotated[MatrixQuery, Depends(MATRIX_QUERY)]
) -> ClaimMatrix:
    """How many claims carry each pair of a row value and a column value, over the filtered claims.

    Takes the same filters as `GET /v1/claims`; `counts[i][j]` is the `meta.total` of that list with the
    row's and the column's value added as filters (when neither dimension is filtered already). Rows and
    columns are the values at least one filtered claim carries, largest total first, then by label.
    `row_totals` and `col_totals` count distinct claims (a claim with two entities counts once in its
    theme's total), and `total` is the number of filtered claims. `rows` equal to `cols` answers 422.
    """
    if query.rows == query.cols:
        raise BadParameter("query.cols", f"must differ from rows ({query.rows!r})")
    filters = claim_filters(query)
    return await run_read(database, matrix.claim_matrix, database, filters, rows=query.rows, cols=query.cols)
