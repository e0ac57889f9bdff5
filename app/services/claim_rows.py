"""Claims read by id, each with its order key, revision and stored answer, in one prepared statement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY

from app.services.id_sets import bound
from app.services.prepared import Prepared
from app.services.tables import CLAIM


def claims_rows(connection: Connection, ids: Sequence[str]) -> list[Any]:
    """The claims with these ids, in document order, in one statement: their order key (`id`,
    `document_id`, `span_start`, `span_end`), `revision`, and their stored answer `body`."""
    if not ids:
        return []
    dialect = connection.dialect.name
    return _claims_by_ids(dialect).rows(connection, ids=bound(ids, dialect))


# A claim, or a page of them, in one statement, with its stored answer (app.services.claim_bodies).
_CLAIMS_BY_IDS = {
    "sqlite": "WHERE c.id IN (SELECT value FROM json_each(:ids))",
    "postgresql": "WHERE c.id = ANY(:ids)",
}
_STORED_SELECT = (
    "SELECT c.id, c.document_id, c.span_start, c.span_end, c.revision, b.body\n"
    "FROM claim c JOIN claim_body b ON b.claim_id = c.id"
)


@cache
def _claims_by_ids(dialect: str) -> Prepared:
    """The statement behind `claims_rows`, built once per dialect."""
    ids = bindparam("ids", type_=ARRAY(String()) if dialect == "postgresql" else String())
    columns = [CLAIM.c.id, CLAIM.c.document_id, CLAIM.c.span_start, CLAIM.c.span_end]
    read = [
        *(literal_column(column.name, column.type) for column in columns),
        literal_column("revision", Integer()),
        literal_column("body", String()),
    ]
    sql = f"{_STORED_SELECT}\n{_CLAIMS_BY_IDS[dialect]}\n"
    statement = (
        text(sql + "ORDER BY c.document_id, c.span_start, c.span_end, c.id").bindparams(ids).columns(*read)
    )
    return Prepared(statement)
