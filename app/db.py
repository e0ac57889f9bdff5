"""Database engines: a read path and a single write path, with the pragmas SQLite needs."""

from __future__ import annotations

import contextlib
import select
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import QueuePool

from app.answer_cache import AnswerCache
from app.config import Settings
from app.contextvar_block import ContextVarBlock
from app.loop_share import LoopShare
from app.optional import require_database_driver
from app.pipelining import answer_read_statements
from app.query_deadline import disarm, limit_query_time, stopped_a_statement
from app.write_slices import give_way_between_statements

# Writes on the event loop take at most this share of its time, in bursts of at most this long; past it
# they run in a worker thread, so a stream of writes cannot starve the reads (app/api/writing.py).
WRITES_LOOP_SHARE = 0.25
WRITES_LOOP_BURST_S = 0.02


@dataclass
class WriteAheadLog:
    """SQLite: this process's commits, and how many of them the last checkpoint of the log saw."""

    commits: int = 0
    checkpointed: int = 0


@dataclass(frozen=True)
class Database:
    """The engines a process uses: reads never take the write lock; writes take it up front."""

    url: URL
    read_engine: Engine
    write_engine: Engine
    # PostgreSQL through psycopg: the engine of the reads that run on the event loop (app/api/reading.py),
    # in a greenlet, on connections that await the server there (app/loop_waits.py).
    awaiting_read_engine: Engine | None = None
    # Per event loop, the slots of those reads (an asyncio.Semaphore of the engine's pool size): each runs
    # on a connection of its own, the rest wait on the loop for a slot (app/api/reading.py).
    awaiting_read_semaphores: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    # The connections those reads keep between them, free ones last: taking one out of the pool and
    # returning it cost a one-statement read more than its wait for the server.
    awaiting_connections: list[Connection] = field(default_factory=list, compare=False, repr=False)
    # SQLite: how much CPU time a read may spend inline on the event loop before it is offloaded to a
    # thread (app/api/reading.py).
    inline_read_budget_s: float = 0.0
    # Reads whose offloaded run was over that budget, each with whether it was heavy (offloaded even when
    # every slot of the queue below is taken; app/api/reading.py); only the event loop's thread touches it.
    slow_reads: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    # The queue offloaded SQLite reads wait in for a worker thread, per event loop (an anyio
    # CapacityLimiter; app/api/reading.py).
    slow_read_queues: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    # SQLite: the connection each event loop's thread keeps for its inline reads (see `read`).
    inline_connections: dict[int, Connection] = field(default_factory=dict, compare=False, repr=False)
    # Answers kept while the data revision stays the same (app/answer_cache.py); this process's own.
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0), compare=False, repr=False)
    # SQLite: held by each write of this process for its whole transaction (around the pool's one write
    # connection), so that a write on the event loop can see the connection is free without waiting.
    writer_turn: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    # SQLite: the share of the event loop's time that writes on it may take (app/api/writing.py).
    loop_share_for_writes: LoopShare = field(
        default_factory=lambda: LoopShare(WRITES_LOOP_SHARE, WRITES_LOOP_BURST_S), compare=False, repr=False
    )
    # SQLite: this process's commits, counted, and how many of them the last checkpoint saw.
    log: WriteAheadLog = field(default_factory=lambda: WriteAheadLog(), compare=False, repr=False)

    @property
    def read_engines(self) -> tuple[Engine, ...]:
        """Every engine reads run on: the read pool's, and on PostgreSQL the event loop's awaiting one."""
        if self.awaiting_read_engine is None:
            return (self.read_engine,)
        return (self.read_engine, self.awaiting_read_engine)

    @cached_property
    def is_sqlite(self) -> bool:
        """True when the backend is SQLite (asked several times a request: read once)."""
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def read(self, *, snapshot: bool = True) -> Iterator[Connection]:
        """A read-only connection in one read transaction (one snapshot of the data for everything read
        in the block), returned to the pool when the block ends.

        `snapshot=False` is for a block of one statement, which SQLite answers from one snapshot anyway:
        it skips the BEGIN and ROLLBACK around it, a noticeable part of a cheap read. PostgreSQL reads run
        in autocommit, each statement on a snapshot of its own (`_server_engine`).
        """
        if (held := _awaiting_connection.get()) is not None:
            yield held  # nested reads too: see awaiting_reads
            return
        if _inline_read.get():
            yield from self._inline_read(snapshot)
            return
        with self.read_engine.connect() as connection:
            if self.is_sqlite and snapshot:
                # Prepared statements run on the DBAPI cursor, where SQLAlchemy's autobegin never fires:
                # begin here, so that a tally and the page it counts come from the same snapshot. The
                # pool's reset on return rolls it back; _on_begin skips a transaction already open.
                dbapi_connection = connection.connection.dbapi_connection
                assert dbapi_connection is not None
                dbapi_connection.execute("BEGIN")
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction on the write path: committed if the block succeeds, rolled back if not.

        On SQLite, inside `inline_writes()`, the first write of the block does not wait: it raises
        WriterBusy when another write holds the connection or another process the database's write lock.
        """
        if not self.is_sqlite:
            with self.write_engine.begin() as connection:
                yield connection
            return
        inline = _inline_write.get()
        if inline is not None and not inline.began:
            inline.began = True
            with self._write_at_once() as connection:
                yield connection
            return
        pool = self.write_engine.pool
        if not self.writer_turn.acquire(timeout=pool.timeout() if isinstance(pool, QueuePool) else -1):
            raise PoolTimeoutError("No turn to write came within the pool's timeout.")
        try:
            with self.write_engine.begin() as connection:
                yield connection
            self.log.commits += 1
        finally:
            self.writer_turn.release()

    @contextmanager
    def maintenance(self) -> Iterator[Connection]:
        """A write transaction for a command that rewrites whole tables (`sectorfacts rebuild`): on
        PostgreSQL its statements have no time limit. SECTORFACTS_STATEMENT_TIMEOUT_MS bounds the
        statements of requests; a rebuild at 1,000,000 claims deletes a million search entries in one."""
        with self.write() as connection:
            if not self.is_sqlite:
                connection.execute(text("SET LOCAL statement_timeout = 0"))
            yield connection

    @contextmanager
    def _write_at_once(self) -> Iterator[Connection]:
        """A SQLite write transaction begun only if no other write needs waiting for (else WriterBusy)."""
        if not self.writer_turn.acquire(blocking=False):
            raise WriterBusy
        try:
            with self.write_engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                assert isinstance(raw, sqlite3.Connection)
                waits_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
                raw.execute("PRAGMA busy_timeout = 0")
                try:
                    try:
                        transaction = connection.begin()  # BEGIN IMMEDIATE: takes the write lock
                    except OperationalError as error:
                        if getattr(error.orig, "sqlite_errorname", "") == "SQLITE_BUSY":
                            raise WriterBusy from error
                        raise
                    with transaction:
                        yield connection
                    self.log.commits += 1
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {int(waits_ms)}")
        finally:
            self.writer_turn.release()

    def checkpoint(self) -> None:
        """Copy the SQLite write-ahead log's committed pages into the database file, if anything was
        committed since the last time: PASSIVE, so it waits for no reader or writer. The service's
        write connection never checkpoints at commit (wal_autocheckpoint is off), which would make that
        write wait for the copy; the app calls this in the background instead."""
        commits = self.log.commits
        if not self.is_sqlite or commits == self.log.checkpointed:
            return
        with self.read_engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.log.checkpointed = commits

    @contextmanager
    def awaiting_reads(self) -> Iterator[None]:
        """PostgreSQL through psycopg: every read in this block, which runs in a greenlet on the event loop
        (app/api/reading.py), uses one kept connection of the awaiting engine, whose waits for the server
        are awaited on the loop (app/loop_waits.py). A read nested in another uses it too: each
        statement's rows are fetched whole, so the connection is free between statements."""
        connection = self._free_awaiting_connection()
        token = _awaiting_connection.set(connection)
        try:
            yield
        finally:
            _awaiting_connection.reset(token)
            self._keep_awaiting_connection(connection)

    def _keep_awaiting_connection(self, connection: Connection) -> None:
        """Keep a connection an `awaiting_reads` block used, unless it broke. In autocommit, ending
        SQLAlchemy's transaction of it sends nothing to the server."""
        try:
            if not connection.invalidated and connection.in_transaction():
                connection.rollback()
        except Exception:
            _drop(connection)
            return
        if connection.invalidated or connection.closed:
            _drop(connection)
        else:
            self.awaiting_connections.append(connection)

    def _free_awaiting_connection(self) -> Connection:
        """A kept connection no read is using whose server did not close it (else a new one: connecting
        here, outside any greenlet, waits for the server as any psycopg connection does)."""
        assert self.awaiting_read_engine is not None
        while self.awaiting_connections:
            connection = self.awaiting_connections.pop()
            raw = None if connection.invalidated else connection.connection.dbapi_connection
            if raw is not None and _server_closed(raw) is None:
                return connection
            _drop(connection)
        return self.awaiting_read_engine.connect()

    def _inline_read(self, snapshot: bool) -> Iterator[Connection]:
        """`read` for a read running inline on an event loop (`inline_reads`): on the connection that
        loop's thread keeps, not one checked out of the pool and returned, which would cost a cheap read
        more than the read itself. Reads there run one at a time, whole, so the connection is never shared.
        SQLite only: PostgreSQL's reads on the loop await the server (`awaiting_reads`)."""
        thread = threading.get_ident()
        connection = self.inline_connections.get(thread)
        if connection is None or connection.invalidated or connection.closed:
            connection = self.inline_connections[thread] = self.read_engine.connect()
        token = _inline_read.set(False)  # a read nested in this one takes a pooled connection
        try:
            raw = connection.connection.dbapi_connection
            if isinstance(raw, sqlite3.Connection):
                if raw.in_transaction:  # never expected: a read always ends its transaction below
                    raw.rollback()
                if snapshot:
                    raw.execute("BEGIN")
            yield connection
        finally:
            _inline_read.reset(token)
            self._end_inline_read(thread, connection)

    def _end_inline_read(self, thread: int, connection: Connection) -> None:
        """Roll the kept connection back to no transaction; one that cannot be is dropped, not kept."""
        try:
            disarm(connection)  # an interrupted read's deadline has passed: the rollback must not stop
            if connection.in_transaction():
                connection.rollback()
            raw = None if connection.invalidated else connection.connection.dbapi_connection
            if isinstance(raw, sqlite3.Connection) and raw.in_transaction:
                raw.rollback()
            if stopped_a_statement(connection):
                # Its statement cache is spoiled (app/query_deadline.py): give it back to the pool,
                # whose next checkout of it reconnects, and keep a fresh one.
                self.inline_connections.pop(thread, None)
                connection.close()
        except Exception:
            self.inline_connections.pop(thread, None)
            _drop(connection)

    def dispose(self) -> None:
        """Close every pooled connection."""
        for connection in self.inline_connections.values():
            with contextlib.suppress(Exception):
                connection.close()
        self.inline_connections.clear()
        for connection in self.awaiting_connections:
            with contextlib.suppress(Exception):
                connection.close()
        self.awaiting_connections.clear()
        if self.awaiting_read_engine is not None:
            self.awaiting_read_engine.dispose()
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()


def _drop(connection: Connection) -> None:
    """Close a kept connection that cannot serve again, invalidated so the pool never lends it."""
    with contextlib.suppress(Exception):
        connection.invalidate()
        connection.close()


@dataclass
class ThreadWrites:
    """PostgreSQL: how many writes of this process run in worker threads now (counted on the loop)."""

    running: int = 0


# While one runs, PostgreSQL reads on the event loop wait for the server without giving the loop back
# (app/loop_waits.py): the write's thread needs the interpreter after each of its own waits, and a loop
# that never pauses hands it over only at the switch interval.
THREAD_WRITES = ThreadWrites()


# Set while a read runs inline on an event loop (app/api/reading.py): Database.read then uses the loop
# thread's own connection.
_inline_read: ContextVar[bool] = ContextVar("sectorfacts_inline_read", default=False)


# PostgreSQL: the connection of the reads of an `awaiting_reads` block.
_awaiting_connection: ContextVar[Connection | None] = ContextVar(
    "sectorfacts_awaiting_connection", default=None
)


def inline_reads() -> AbstractContextManager[None]:
    """SQLite: reads in this block run on the current thread's kept connection (see Database.read)."""
    return ContextVarBlock(_inline_read, True)


class WriterBusy(Exception):
    """A write inside `inline_writes()` found the writer busy before it began: nothing was written."""


@dataclass
class _InlineWrite:
    began: bool = False


_inline_write: ContextVar[_InlineWrite | None] = ContextVar("sectorfacts_inline_write", default=None)


def inline_writes() -> AbstractContextManager[None]:
    """On SQLite, the first write transaction in this block begins at once or raises WriterBusy."""
    return ContextVarBlock(_inline_write, _InlineWrite())


# No map of the file: a read connection's mapped pages count in the process's RSS once per connection,
# and maps of any size bought no throughput in the benchmark, only memory (docs/performance.md,
# "No map of the file").
READ_MMAP_BYTES = 0
READ_CACHE_KIB = 8 * 1024
# The writer's page cache: kept across its transactions (WAL mode, one writer connection).
WRITE_CACHE_KIB = 64 * 1024


def _sqlite_engine(
    url: URL, settings: Settings, *, writer: bool, checkpoints_in_background: bool = False
) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        # Best effort: if the folder cannot be made, connecting fails later and answers 503.
        with contextlib.suppress(OSError):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # One writer at a time is all SQLite allows; readers share a small pool held only inside
        # service calls, so a request never keeps a connection while its response is serialised.
        pool_size=1 if writer else settings.pool_size,
        max_overflow=0 if writer else settings.pool_size,
        pool_timeout=settings.pool_timeout_s,
        # The connection returned last is taken first: a few warm connections serve most reads, and
        # the rest stay idle instead of each mapping the file again (mapped pages count in RSS).
        pool_use_lifo=not writer,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself: pysqlite's implicit
        # transactions start too late and lose read-modify-write updates.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if writer:
            # WAL persists in the file; only the writer sets it, so a read-only snapshot opens too.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # One writer: a write touches a few pages of many indexes and derived tables, and SQLite's
            # default cache (2 MiB) kept too few of them for that across writes to a large corpus.
            cursor.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            if checkpoints_in_background:
                # No checkpoint at commit: the commit that crosses the threshold would wait for the
                # copy of the log into the file (the app runs Database.checkpoint in the background).
                cursor.execute("PRAGMA wal_autocheckpoint = 0")
        else:
            cursor.execute("PRAGMA query_only = ON")
            # Reads copy pages through SQLite's own cache rather than map the file (READ_MMAP_BYTES is 0),
            # and keep the hot index pages of a large corpus in a bigger cache (per connection).
            cursor.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
            cursor.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if writer or not getattr(dbapi_connection, "in_transaction", False):  # Database.read began it
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    if writer:
        give_way_between_statements(engine)  # where a write on the event loop pauses for reads
    else:
        limit_query_time(engine, settings.query_timeout_ms)  # also enforces inline read budgets
    return engine


# What the read connections set on PostgreSQL. A read's prepared statement is planned once, for any
# parameters: its filters are keys and ranges that one plan serves whatever the values. Under the default
# (plan_cache_mode auto), PostgreSQL keeps a custom plan for a statement whose generic plan it estimates
# dearer (`= ANY($1)`, a slug looked up in a subquery) and plans it again on every execution, which costs
# several times the execution itself. No parallel workers: a generic plan does not know a page's LIMIT,
# assumes a tenth of the rows, and would start a worker for a 20-claim page, which costs more than the
# page. tests/system/test_postgres_plans.py explains every benchmarked read's plan with these settings.
READ_SETTINGS = {"plan_cache_mode": "force_generic_plan", "max_parallel_workers_per_gather": "0"}


def _server_engine(url: URL, settings: Settings, *, reader: bool = False) -> Engine:
    """A PostgreSQL engine. Neither pool pings a connection before lending it: each only looks at the
    socket (`_drop_dead_connections`), so a request costs no ping round trip. The reader's runs in
    autocommit: a read costs no BEGIN or ROLLBACK either, each of which cost a one-statement read more
    of our CPU than the statement."""
    connect_args = _connect_args(url, settings, reader=reader)
    if not reader:
        writer = create_engine(url, **_write_pool_options(settings, connect_args))
        _drop_dead_connections(writer)
        answer_read_statements(writer)
        return writer
    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_timeout=settings.pool_timeout_s,
        pool_use_lifo=True,  # a few warm connections serve most reads (their prepared statements too)
        # Reads run at READ COMMITTED, where every statement has a snapshot of its own inside a
        # transaction or out of it: a read transaction would buy nothing but BEGIN and ROLLBACK.
        isolation_level="AUTOCOMMIT",
        connect_args=connect_args,
    )
    _drop_dead_connections(engine)
    return engine


def _connect_args(url: URL, settings: Settings, *, reader: bool) -> dict[str, Any]:
    """What each PostgreSQL connection sets: the statement timeout, and READ_SETTINGS for reads."""
    if url.get_backend_name() != "postgresql":
        return {}
    options = f"-c statement_timeout={int(settings.statement_timeout_ms)}"
    if reader:
        options += "".join(f" -c {name}={value}" for name, value in READ_SETTINGS.items())
    return {"options": options}


def _awaiting_read_engine(url: URL, settings: Settings) -> Engine | None:
    """PostgreSQL through psycopg: the engine of the reads run on the event loop (`awaiting_reads`), whose
    connections await the server there. Its pool is `pool_size` connections, as many as the reads an event
    loop lets in at once (app/api/reading.py)."""
    if url.get_driver_name() != "psycopg":
        return None  # reads go to the thread pool
    # psycopg is optional: imported for its URLs only.
    from app.loop_waits import connect_loop_connections

    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_timeout=settings.pool_timeout_s,
        isolation_level="AUTOCOMMIT",
        connect_args=_connect_args(url, settings, reader=True),
    )
    connect_loop_connections(engine)
    _drop_dead_connections(engine)
    return engine


def _write_pool_options(settings: Settings, connect_args: dict[str, Any]) -> dict[str, Any]:
    """The PostgreSQL write pool's options."""
    return {
        "pool_size": write_pool_size(settings),
        "max_overflow": write_pool_size(settings),
        "pool_timeout": settings.pool_timeout_s,
        "connect_args": connect_args,
    }


def write_pool_size(settings: Settings) -> int:
    """Connections the PostgreSQL write pool keeps (and may open as many more): a quarter of the read
    pool's, at least one; writes are few, and every connection counts against max_connections."""
    return max(1, settings.pool_size // 4)


def _drop_dead_connections(engine: Engine) -> None:
    """Before a pooled connection is lent, drop it (the pool connects afresh) if it is closed, in a
    transaction, or its socket has something to read: an idle connection is sent nothing unless the server
    closed it (a restart, an idle timeout, a terminated backend). No round trip, unlike a ping."""

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if (dead := _server_closed(dbapi_connection)) is not None:
            raise DisconnectionError(dead)


def _server_closed(dbapi_connection: Any) -> str | None:
    """Why a PostgreSQL connection cannot serve a read (closed, in a transaction, or its socket readable:
    an idle connection is sent nothing unless the server closed it), or None if it can."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # another driver: nothing to look at
        return None
    try:
        idle = not dbapi_connection.closed and pgconn.transaction_status == _PQ_IDLE
        readable = idle and bool(select.select([pgconn.socket], [], [], 0)[0])
    except (OSError, ValueError) as error:
        return f"unusable connection: {error}"
    return "the server closed the connection" if not idle or readable else None


# psycopg.pq.TransactionStatus.IDLE: connected, outside a transaction.
_PQ_IDLE = 0


def create_database(settings: Settings, *, serving: bool = False) -> Database:
    """Build the engines for `settings.database_url` (nothing connects until first use). `serving`: for
    the API's process, whose SQLite commits never checkpoint (it runs `checkpoint` often instead)."""
    require_database_driver(settings.database_url, "the database URL")
    if settings.read_database_url:
        require_database_driver(settings.read_database_url, "the read database URL")
    url = make_url(settings.database_url)
    answers = AnswerCache(settings.answer_cache_mb * 1_048_576)
    if url.get_backend_name() == "sqlite":
        return Database(
            url=url,
            read_engine=_sqlite_engine(url, settings, writer=False),
            write_engine=_sqlite_engine(url, settings, writer=True, checkpoints_in_background=serving),
            inline_read_budget_s=settings.inline_read_budget_ms / 1000,
            answers=answers,
        )
    # Reads may go to a replica; writes, migrations and readiness stay on the primary.
    read_url = make_url(settings.read_database_url) if settings.read_database_url else url
    return Database(
        url=url,
        read_engine=_server_engine(read_url, settings, reader=True),
        awaiting_read_engine=_awaiting_read_engine(read_url, settings),
        write_engine=_server_engine(url, settings),
        inline_read_budget_s=settings.inline_read_budget_ms / 1000,
        answers=answers,
    )
