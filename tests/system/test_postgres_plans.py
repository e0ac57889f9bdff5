"""On PostgreSQL at 100,000 claims, the benchmarked reads find their rows through indexes: every statement
they run is explained (`EXPLAIN (FORMAT JSON)` with its real parameters, and the generic plan the app's
read connections keep for it) and none scans a large table sequentially. Loading the corpus (COPY, as the
benchmark does) takes about a minute; SQLite runs skip it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, make_url, text

from app.config import Settings
from app.db import READ_SETTINGS, create_database
from app.main import create_app
from bench.corpus import Corpus
from bench.load import fill
from tests.databases import POSTGRES_ENV, fresh_database_url

CLAIMS = 100_000
# A table this large is read through an index when a filter names its rows; smaller ones (themes,
# entities, documents) are cheaper to scan, and PostgreSQL rightly does.
LARGE_TABLE_ROWS = 10_000

pytestmark = pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason="needs PostgreSQL")


@pytest.fixture(scope="module")
def corpus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database_url(tmp_path_factory.mktemp("plans")) as url:
        database = create_database(Settings(database_url=url))
        try:
            fill(database, Corpus(CLAIMS))
        finally:
            database.dispose()
        yield url


class Statements:
    """The statements (with their parameters) that engines ran while watched."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, Any]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.ran.append((statement, parameters))


@pytest.fixture(scope="module")
def client(corpus_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=corpus_url, answer_cache_mb=0, seed_on_empty=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _picks(url: str) -> dict[str, str]:
    """A busy theme, an entity that shares claims with it, a claim in the middle, and a word of the corpus."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            theme_id, theme = connection.execute(
                text(
                    "SELECT t.id, t.slug FROM theme t JOIN claim_theme ct ON ct.theme_id = t.id "
                    "GROUP BY t.id, t.slug ORDER BY count(*) DESC, t.id OFFSET 1 LIMIT 1"
                )
            ).one()
            entity = connection.execute(
                text(
                    "SELECT e.slug FROM claim_entity ce JOIN claim_theme ct ON ct.claim_id = ce.claim_id "
                    "JOIN entity e ON e.id = ce.entity_id WHERE ct.theme_id = :theme "
                    "GROUP BY e.slug ORDER BY count(*) DESC, e.slug OFFSET 9 LIMIT 1"
                ),
                {"theme": theme_id},
            ).scalar_one()
            claim = connection.execute(
                text("SELECT id FROM claim ORDER BY id OFFSET :middle LIMIT 1"), {"middle": CLAIMS // 2}
            ).scalar_one()
            word = connection.execute(
                text("SELECT split_part(statement, ' ', 2) FROM claim WHERE id = :id"), {"id": claim}
            ).scalar_one()
    finally:
        engine.dispose()
    return {"theme": theme, "entity": entity, "claim": claim, "word": word.strip(".,;:").lower()}


def _requests(client: TestClient, picks: dict[str, str]) -> list[str]:
    theme, entity = picks["theme"], picks["entity"]
    page = f"/v1/claims?theme={theme}&limit=100"
    cursor = client.get(page).json()["meta"]["next_cursor"]
    for _ in range(3):  # a few pages in, where the page's key range starts mid-theme
        cursor = client.get(f"{page}&cursor={cursor}").json()["meta"]["next_cursor"]
    return [
        f"/v1/claims?theme={theme}",
        f"/v1/claims?theme={theme}&entity={entity}",
        f"/v1/claims?entity={entity}",
        f"/v1/claims?theme={theme}&limit=100&cursor={cursor}",
        f"/v1/claims/{picks['claim']}",
        f"/v1/entities/{entity}",
        f"/v1/search?q={picks['word']}",
        f"/v1/claims/facets?theme={theme}",
    ]


def _sequential_scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _sequential_scans(child)


def test_benchmarked_reads_use_indexes_at_100000_claims(client: TestClient, corpus_url: str) -> None:
    picks = _picks(corpus_url)
    requests = _requests(client, picks)
    database = client.app.state.database  # type: ignore[attr-defined]
    engines: list[Engine] = list({id(e): e for e in (*database.read_engines, database.write_engine)}.values())
    watched = Statements()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", watched)
    try:
        for path in requests:
            assert client.get(path).status_code == 200, path
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", watched)
    assert len(watched.ran) >= len(requests)

    engine = create_engine(corpus_url)
    try:
        with engine.connect() as connection:
            sizes: dict[str, float] = dict(
                connection.execute(
                    text("SELECT relname, reltuples FROM pg_class WHERE relkind IN ('r', 'p')")
                ).all()
            )
            large = {name for name, rows in sizes.items() if rows >= LARGE_TABLE_ROWS}
            assert {"claim", "claim_theme", "claim_entity"} <= large
            scanned = []
            for statement, parameters in watched.ran:
                cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0][0]["Plan"]
                scanned += [(table, statement) for table in _sequential_scans(plan) if table in large]
                generic = _generic_plan(corpus_url, statement, parameters)
                scanned += [
                    (table, "generic: " + statement) for table in _sequential_scans(generic) if table in large
                ]
    finally:
        engine.dispose()
    assert scanned == []


def _generic_plan(url: str, statement: str, parameters: Any) -> dict[str, Any]:
    """The plan PostgreSQL keeps for a prepared statement on the app's read connections, which force
    generic plans with no parallel workers (app/db.py, READ_SETTINGS): one plan for any parameters, so it
    is explained with every parameter NULL."""
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as raw:
        for name, value in READ_SETTINGS.items():
            raw.execute(f"SET {name} = {value}")
        raw.execute(statement, parameters, prepare=True)
        name, count = raw.execute(
            "SELECT name, cardinality(parameter_types) FROM pg_prepared_statements"
        ).fetchone()  # type: ignore[misc]
        nulls = ", ".join(["NULL"] * count)
        explained = raw.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}" + (f"({nulls})" if count else ""))
        plan: dict[str, Any] = explained.fetchone()[0][0]["Plan"]  # type: ignore[index]
    return plan
