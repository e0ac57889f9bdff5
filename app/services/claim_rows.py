"""Claims read by id, each with its order key, revision and stored answer, in one prepared statement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, bindparam, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TextualSelect

from app.services.id_sets import bound
from app.services.prepared import Prepared
from app.services.tables import CLAIM


class stored_answer(FunctionElement[Any]):  # noqa: N801 (an SQL function, named as SQLAlchemy's are)
    """A claim's stored answer (`claim_body.body`) as the driver should hand it over: on SQLite its UTF-8
    bytes as stored (`CAST(… AS BLOB)`), not decoded into a str that orjson would only encode again when
    it splices the answer into a body; elsewhere the text as it is. Either is an `orjson.Fragment`'s text."""

    type = String()
    inherit_cache = True


@compiles(stored_answer)
def _stored_answer(element: stored_answer, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(stored_answer, "sqlite")
def _stored_answer_sqlite(element: stored_answer, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


def stored_body(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column` (a stored answer) read as `stored_answer` reads it, named `body`."""
    return stored_answer(column).label("body")


def claims_rows(connection: Connection, ids: Sequence[str]) -> list[Any]:
    """The claims with these ids, in document order, in one statement: their order key (`id`,
    `document_id`, `span_start`, `span_end`), `revision`, and their stored answer `body` (bytes on
    SQLite, str elsewhere: see `stored_answer`)."""
    if not ids:
        return []
    dialect = connection.dialect.name
    return _claims_by_ids(dialect).rows(connection, ids=bound(ids, dialect))


def claim_row(connection: Connection, claim_id: str) -> Any | None:
    """The claim with this id as `claims_rows` reads it, or None: its own statement, an equality on the
    key (no list to bind and unpack for one id)."""
    return _claim_by_id(connection.dialect.name).first(connection, id=claim_id)


# A claim, or a page of them, in one statement, with its stored answer (app.services.claim_bodies).
_CLAIMS_BY_IDS = {
    "sqlite": "WHERE c.id IN (SELECT value FROM json_each(:ids))",
    "postgresql": "WHERE c.id = ANY(:ids)",
}
# The stored answer as `stored_answer` reads it.
_BODY = {"sqlite": "CAST(b.body AS BLOB) AS body", "postgresql": "b.body"}
_STORED_SELECT = (
    "SELECT c.id, c.document_id, c.span_start, c.span_end, c.revision, {body}\n"
    "FROM claim c JOIN claim_body b ON b.claim_id = c.id"
)


def _stored_select(dialect: str, where: str, ids: BindParameter[Any]) -> TextualSelect:
    """The SELECT of claims' order key, revision and stored answer, filtered by `where` on `ids`."""
    columns = [CLAIM.c.id, CLAIM.c.document_id, CLAIM.c.span_start, CLAIM.c.span_end]
    read = [
        *(literal_column(column.name, column.type) for column in columns),
        literal_column("revision", Integer()),
        literal_column("body", String()),
    ]
    sql = f"{_STORED_SELECT.format(body=_BODY[dialect])}\n{where}"
    return text(sql).bindparams(ids).columns(*read)


@cache
def _claim_by_id(dialect: str) -> Prepared:
    """The statement behind `claim_row`, built once per dialect."""
    return Prepared(_stored_select(dialect, "WHERE c.id = :id", bindparam("id", type_=String())))


@cache
def _claims_by_ids(dialect: str) -> Prepared:
    """The statement behind `claims_rows`, built once per dialect."""
    ids = bindparam("ids", type_=ARRAY(String()) if dialect == "postgresql" else String())
    where = f"{_CLAIMS_BY_IDS[dialect]}\nORDER BY c.document_id, c.span_start, c.span_end, c.id"
    return Prepared(_stored_select(dialect, where, ids))
