"""PostgreSQL connections whose waits for the server, in a greenlet, are awaited on the event loop.

A read on the event loop that blocks while PostgreSQL answers stops the loop serving anything else for the
round trip. The services are plain functions over SQLAlchemy's synchronous API, so instead of rewriting
them for asyncio, `app/api/reading.py` runs them in a greenlet (`greenlet_spawn`, SQLAlchemy's bridge), on
connections of this class: each time psycopg would block for the server, the greenlet hands the wait to
the loop (psycopg's own `wait_async`) and the loop serves other requests until the answer arrives.
Everything above the driver (SQLAlchemy's engine and pool, prepared statements, result processing) is the
synchronous code every other read runs. Outside a greenlet the connection waits as psycopg does, and
so does a read while a write of the process runs in a worker thread (`THREAD_WRITES`): that thread needs
the interpreter back after each of its own waits, and a loop that never pauses hands it over only at the
switch interval (docs/performance.md, "Writes").

Imported only for a psycopg URL: psycopg is an optional dependency.
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg
from psycopg import waiting
from sqlalchemy import Engine, event
from sqlalchemy.util.concurrency import await_, in_greenlet

from app.db import THREAD_WRITES


class LoopConnection(psycopg.Connection[Any]):
    """A psycopg connection that, inside a greenlet, waits for the server on the event loop (unless a
    write runs in a worker thread)."""

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        """Run psycopg's generator `gen` to its end: awaited on the loop in a greenlet, else blocking."""
        if not in_greenlet() or THREAD_WRITES.running:
            return super().wait(gen, interval, timeout)
        try:
            return await_(waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout))
        except BaseException:
            # Interrupted mid-statement (the request's task was cancelled, say): the server is asked to
            # stop the statement, which would otherwise run on to its end, and the connection, in an
            # unknown state, is closed, so that it is never lent again.
            if self.pgconn.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
                with contextlib.suppress(Exception):
                    self.cancel_safe(timeout=1.0)
                self.pgconn.finish()
            raise


def connect_loop_connections(engine: Engine) -> None:
    """Make `engine` (psycopg) open LoopConnections: SQLAlchemy's documented hook for a custom connect."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        return LoopConnection.connect(*cargs, **cparams)
