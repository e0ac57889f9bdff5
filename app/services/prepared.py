"""Statements compiled once per dialect and run straight on the DBAPI cursor: the hot reads' fast path.

SQLAlchemy's `Connection.execute` spends several times longer in Python on every call (cache key,
execution context, result wrapping) than SQLite takes to answer a primary-key lookup, and a single claim
runs several such statements. A `Prepared` statement is built once with SQLAlchemy Core (so each dialect still
gets its own SQL), compiled once per dialect, and executed on the connection's DBAPI cursor with the
same bind and result processing, the same `before_cursor_execute` / `after_cursor_execute` listeners
(query deadline, metrics) and the same exception wrapping as `Connection.execute`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.selectable import SelectBase

from app.pipelining import UNREAD, answer_arrived


class _Context:
    """What the cursor-execute listeners may annotate (the metrics listener records a start time), and
    read: a Prepared statement's answer is read by its caller, so a pipeline need not sync after it
    (app/pipelining.py)."""

    __slots__ = ("__dict__",)
    execution_options = UNREAD


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # positional parameter names in order; None for named paramstyles
    defaults: dict[str, Any]
    bind_processors: dict[str, Callable[[Any], Any]]
    result_processors: tuple[Callable[[Any], Any] | None, ...]
    row: type[Any]


@dataclass
class Prepared:
    """A SELECT with named `bindparam`s, compiled once per dialect; call `rows`, `first` or `scalar`."""

    statement: SelectBase
    _compiled: dict[str, _Compiled] = field(default_factory=dict, init=False, repr=False)

    def _for(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        if (found := self._compiled.get(dialect.name)) is not None:
            return found
        compiled = self.statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        defaults = dict(compiled.construct_params(_check=False))
        bind_processors: dict[str, Callable[[Any], Any]] = {
            name: processor
            for name, processor in compiled._bind_processors.items()
            if not isinstance(processor, Sequence)
        }
        keys = [str(column.key) for column in self.statement.selected_columns]
        result_processors = tuple(
            column.type._cached_result_processor(dialect, None) for column in self.statement.selected_columns
        )
        row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]  # a name known only at runtime
        found = _Compiled(compiled.string, names, defaults, bind_processors, result_processors, row)
        self._compiled[dialect.name] = found
        return found

    def rows(self, connection: Connection, **params: Any) -> list[Any]:
        """Every row, as named tuples (`row.id`, or by position)."""
        compiled = self._for(connection)
        return _made(compiled, self._send(connection, compiled, params)())

    def sent(self, connection: Connection, **params: Any) -> Callable[[], list[Any]]:
        """The statement sent now; call the answer for its rows (as `rows` gives them). Inside a pipeline
        (app/pipelining.py) reads sent one after another travel together, and their answers come back in
        one round trip; elsewhere it runs at once."""
        compiled = self._for(connection)
        receive = self._send(connection, compiled, params)
        return lambda: _made(compiled, receive())

    def tuples(self, connection: Connection, **params: Any) -> list[tuple[Any, ...]]:
        """Every row as a plain tuple: for many rows, where building named tuples would cost more than
        the query (statements whose columns need no result processing only)."""
        compiled = self._for(connection)
        assert not any(compiled.result_processors), "tuples() skips result processing"
        return self._send(connection, compiled, params)()  # DBAPI rows are tuples

    def _send(
        self, connection: Connection, compiled: _Compiled, params: dict[str, Any]
    ) -> Callable[[], list[Any]]:
        """Execute on a cursor of its own; the answer fetches its rows and closes it."""
        values = compiled.defaults | params
        for name, processor in compiled.bind_processors.items():
            values[name] = processor(values[name])
        parameters: Any = values if compiled.names is None else tuple(values[name] for name in compiled.names)
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        cursor = dbapi_connection.cursor()
        context = _Context()
        dispatch = connection.dispatch
        try:
            dispatch.before_cursor_execute(connection, cursor, compiled.sql, parameters, context, False)
            cursor.execute(compiled.sql, parameters)
        except Exception as error:
            cursor.close()
            # Wrapped (and a lost connection invalidated) exactly as Connection.execute does.
            connection._handle_dbapi_exception(error, compiled.sql, parameters, cursor, None)
            raise

        def receive() -> list[Any]:
            try:
                answer_arrived(connection, cursor)
                raw: list[Any] = list(cursor.fetchall())
                dispatch.after_cursor_execute(connection, cursor, compiled.sql, parameters, context, False)
            except Exception as error:
                connection._handle_dbapi_exception(error, compiled.sql, parameters, cursor, None)
                raise
            finally:
                cursor.close()
            return raw

        return receive

    def first(self, connection: Connection, **params: Any) -> Any | None:
        """The first row, or None."""
        found = self.rows(connection, **params)
        return found[0] if found else None

    def scalar(self, connection: Connection, **params: Any) -> Any | None:
        """The first column of the first row, or None."""
        found = self.rows(connection, **params)
        return found[0][0] if found else None


def _made(compiled: _Compiled, raw: list[Any]) -> list[Any]:
    """The DBAPI rows as named tuples, each value through its result processor."""
    processors = compiled.result_processors
    make = compiled.row._make
    if not any(processors):
        return [make(row) for row in raw]
    return [
        make(
            value if processor is None else processor(value)
            for processor, value in zip(processors, row, strict=True)
        )
        for row in raw
    ]
