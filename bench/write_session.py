"""One engine of the write benchmark: a corpus copy, the service on it, readers alone and then with writers,
the count check, then `sectorfacts ingest` of a large document and `sectorfacts rebuild`, timed."""

from __future__ import annotations

import asyncio
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.db import Database, create_database
from app.services import api_keys
from app.services.tables import CLAIM, CLAIM_THEME, DOCUMENT, ENTITY, THEME
from bench.corpus import Corpus
from bench.harness import LOAD_CORE, service_server
from bench.ingest_doc import write_ingest_file
from bench.load import fill, postgres_corpus, sqlite_corpus
from bench.write_checks import count_check
from bench.write_load import Basis, Tally, Vocabulary, run_writers, summary
from bench.wrk import WrkResult, run_wrk

KEY_NAME = "bench-writes"
BASES = 200
PAGE = 20


@dataclass(frozen=True)
class WriteOptions:
    """How long and how hard the write benchmark loads one corpus."""

    seconds: float
    writers: int
    # Writes a second from all writers together in the paced phase.
    paced_rate: float
    reader_connections: int
    ingest_claims: int
    warmup: float


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@contextmanager
def sqlite_copy(size: int) -> Iterator[str]:
    """A private copy of the cached SQLite corpus (the cache itself is never written)."""
    source = sqlite_corpus(size)
    with tempfile.TemporaryDirectory(prefix="sectorfacts-writes-") as folder:
        target = Path(folder) / "claims.db"
        with (
            sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reading,
            sqlite3.connect(target) as writing,
        ):
            reading.backup(writing)
        reading.close()
        writing.close()
        yield f"sqlite:///{target}"


@contextmanager
def postgres_copy(size: int, server_url: str, *, cached: bool = True) -> Iterator[str]:
    """A fresh PostgreSQL database holding the corpus, dropped afterwards: a copy of the cached corpus
    database (made when missing), or loaded anew when that is in use or `cached` is False (smoke runs
    leave no database behind)."""
    name = f"sectorfacts_bench_writes_{size}_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        template = make_url(postgres_corpus(size, server_url)).database if cached else None
        with admin.connect() as connection:
            copied = False
            if template is not None:
                try:
                    connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                    copied = True
                except DBAPIError as error:  # the template is in use by another session: load anew
                    _log(f"  cannot copy {template} ({type(error).__name__}): loading a fresh database")
            if not copied:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        if not copied:
            database = create_database(Settings(database_url=url))
            try:
                fill(database, Corpus(size))
            finally:
                database.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _vocabulary(database: Database) -> Vocabulary:
    """Real spans of held documents (BASES claims spread over the corpus), themes and entities."""
    with database.read() as connection:
        claims = int(connection.execute(select(func.count()).select_from(CLAIM)).scalar_one())
        stride = max(1, claims // BASES)
        numbered = (
            select(
                CLAIM.c.document_id,
                CLAIM.c.quote,
                CLAIM.c.span_start,
                CLAIM.c.span_end,
                func.row_number().over(order_by=CLAIM.c.id).label("n"),
            )
            .join(DOCUMENT, DOCUMENT.c.id == CLAIM.c.document_id)
            .where(DOCUMENT.c.text.is_not(None), CLAIM.c.quote.is_not(None))
            .subquery()
        )
        rows = connection.execute(select(numbered).where(numbered.c.n % stride == 0).limit(BASES)).all()
        themes = list(connection.execute(select(THEME.c.slug).order_by(THEME.c.id)).scalars())
        entities = list(connection.execute(select(ENTITY.c.slug).order_by(ENTITY.c.id).limit(50)).scalars())
    bases = [Basis(row.document_id, row.quote, row.span_start, row.span_end) for row in rows]
    return Vocabulary(bases, themes, entities)


def _reader_paths(database: Database) -> list[str]:
    """What the readers read in turn: the middle claim, and a page of the second most used theme."""
    with database.read() as connection:
        claims = int(connection.execute(select(func.count()).select_from(CLAIM)).scalar_one())
        claim = connection.execute(
            select(CLAIM.c.id).order_by(CLAIM.c.id).offset(claims // 2).limit(1)
        ).scalar_one()
        theme = connection.execute(
            select(THEME.c.slug)
            .join(CLAIM_THEME, CLAIM_THEME.c.theme_id == THEME.c.id)
            .group_by(THEME.c.id, THEME.c.slug)
            .order_by(func.count().desc(), THEME.c.id)
            .offset(1)
            .limit(1)
        ).scalar_one()
    return [f"/v1/claims/{claim}", f"/v1/claims?theme={theme}&limit={PAGE}"]


def _claim_count(database: Database) -> int:
    with database.read() as connection:
        return int(connection.execute(select(func.count()).select_from(CLAIM)).scalar_one())


def _reads(base_url: str, paths: list[str], seconds: float, connections: int) -> WrkResult:
    return run_wrk(base_url + paths[0], seconds=seconds, connections=connections, core=LOAD_CORE, paths=paths)


async def _mixed(
    base_url: str,
    key: str,
    vocabulary: Vocabulary,
    paths: list[str],
    options: WriteOptions,
    *,
    rate: float | None,
    first: int,
) -> tuple[WrkResult, Tally, float]:
    """Readers (wrk) and writers at once, for as long as wrk runs; the writers finish their cycles."""
    stop = asyncio.Event()
    started = time.monotonic()
    writers = asyncio.create_task(
        run_writers(base_url, key, options.writers, vocabulary, stop, rate=rate, first=first)
    )
    readers = await asyncio.to_thread(_reads, base_url, paths, options.seconds, options.reader_connections)
    stop.set()
    tally = await writers
    return readers, tally, time.monotonic() - started


@dataclass(frozen=True)
class Phase:
    """Readers beside writers: what wrk and the writers saw, and the server's CPU for the writes."""

    readers: WrkResult
    tally: Tally
    wall: float
    write_cpu: float

    def row(self, alone: WrkResult, rate: float | None) -> dict[str, Any]:
        writes = sum(len(values) for values in self.tally.latencies.values())
        return {
            "offered_writes_per_s": rate,
            "readers": _wrk_row(self.readers),
            "reader_p99_ratio": round(self.readers.p99_ms / alone.p99_ms, 2) if alone.p99_ms else None,
            "writes": {kind: summary(values) for kind, values in self.tally.latencies.items()},
            "writes_per_s": round(writes / self.wall, 1),
            "server_cpu_ms_per_write": round(1000 * self.write_cpu / max(1, writes), 2),
            "retried_503": self.tally.retried_503,
        }


@dataclass(frozen=True)
class Command:
    """One `sectorfacts` command run: wall and CPU seconds (CPU is steadier on a shared machine), output."""

    seconds: float
    cpu_seconds: float
    output: str

    def row(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "output": self.output,
        }


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _sectorfacts(url: str, *args: str) -> Command:
    """Run `sectorfacts ARGS` on `url`, timed."""
    env = {**os.environ, "SECTORFACTS_DATABASE_URL": url}
    cpu = _children_cpu()
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"sectorfacts {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return Command(took, _children_cpu() - cpu, done.stdout.strip())


def _ingest(url: str, database: Database, claims: int, size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sectorfacts-ingest-") as folder:
        path = write_ingest_file(Path(folder), Corpus(size), claims)
        before = _claim_count(database)
        done = _sectorfacts(url, "ingest", "--quiet", str(path))
    added = _claim_count(database) - before
    if added != claims:
        raise RuntimeError(f"ingest added {added} claims, the file has {claims}: {done.output}")
    rates = {
        "claims_per_s": round(claims / done.seconds),
        "claims_per_cpu_s": round(claims / done.cpu_seconds),
    }
    return {"claims": claims, **done.row(), **rates}


def _rebuild(url: str) -> dict[str, Any]:
    return _sectorfacts(url, "rebuild").row()


def _wrk_row(result: WrkResult) -> dict[str, Any]:
    return {**asdict(result), "rps": round(result.rps, 1)}


def measure_engine(
    engine: str, url: str, size: int, options: WriteOptions, save: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Everything the write benchmark measures on one engine's copy of the corpus at `size` claims; `save`
    is given the result as it grows (after the load, the ingest and the rebuild), so a long run keeps what
    it measured."""
    database = create_database(Settings(database_url=url))
    try:
        _, key = api_keys.create_key(database, KEY_NAME, "write")
        vocabulary = _vocabulary(database)
        paths = _reader_paths(database)
        claims_before = _claim_count(database)
        with tempfile.TemporaryDirectory(prefix="sectorfacts-writes-logs-") as logs:
            server = service_server(f"service-{engine}", url, Path(logs))
            server.start()
            try:
                if options.warmup:
                    _reads(server.base_url, paths, options.warmup, options.reader_connections)
                    server.wait_until_idle()
                _log(f"  {engine}: readers alone ({options.seconds:g} s)")
                cpu = server.cpu_seconds()
                alone = _reads(server.base_url, paths, options.seconds, options.reader_connections)
                server.wait_until_idle()
                read_cpu = (server.cpu_seconds() - cpu) / max(1, alone.requests)

                def phase(rate: float | None, first: int) -> Phase:
                    cpu = server.cpu_seconds()
                    readers, tally, wall = asyncio.run(
                        _mixed(server.base_url, key, vocabulary, paths, options, rate=rate, first=first)
                    )
                    server.wait_until_idle()
                    # The server's CPU beside the readers' (at their CPU a read alone): the writes' share.
                    write_cpu = server.cpu_seconds() - cpu - read_cpu * readers.requests
                    return Phase(readers, tally, wall, write_cpu)

                writers = f"{engine}: readers with {options.writers} writers"
                _log(f"  {writers} at {options.paced_rate:g} writes/s ({options.seconds:g} s)")
                paced = phase(options.paced_rate, 0)
                _log(f"  {writers} back to back ({options.seconds:g} s)")
                saturated = phase(None, options.writers)
                both = Tally(
                    claims=paced.tally.claims + saturated.tally.claims,
                    unexpected=paced.tally.unexpected + saturated.tally.unexpected,
                )
                checked = count_check(server.base_url, database, KEY_NAME, both, claims_before)
            finally:
                server.stop()
        result: dict[str, Any] = {
            "engine": engine,
            "size": size,
            "reader_paths": paths,
            "readers_alone": _wrk_row(alone),
            "server_cpu_ms_per_read": round(1000 * read_cpu, 2),
            "paced": paced.row(alone, options.paced_rate),
            "saturated": saturated.row(alone, None),
            "unexpected": both.unexpected[:20],
            "count_check": checked,
            "ingest": None,
            "rebuild": None,
        }
        save(result)
        _log(f"  {engine}: ingest of {options.ingest_claims:,} claims")
        result["ingest"] = _ingest(url, database, options.ingest_claims, size)
        save(result)
        _log(f"  {engine}: rebuild")
        result["rebuild"] = _rebuild(url)
        save(result)
    finally:
        database.dispose()
    return result
