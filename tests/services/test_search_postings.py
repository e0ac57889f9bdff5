"""One-word searches read search_posting (app.services.search.postings) instead of scoring every match, on
both engines: the same pages, totals and scores as bm25 ranking every match (FTS5's own on SQLite), cursor
after cursor, on the seed and on a skewed synthetic corpus; the postings follow every write, a bulk load and
a rebuild; and their reads are primary-key ranges."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.config import Settings
from app.db import Database, create_database
from app.services.pagination import decode_cursor
from app.services.search import hits, one_statement
from app.services.search import index as search_index
from app.services.search.analyzer import term
from app.services.search.query import parse
from app.services.tables import SEARCH_ENTRY
from bench.corpus import Corpus
from bench.load import fill
from tests.curation import curating
from tests.databases import engine_under_test, fresh_database_url

sqlite_only = pytest.mark.skipif(engine_under_test() != "sqlite", reason="FTS5 is SQLite's")

Hit = tuple[str, str, float]
# FTS5's bm25 constants (ext/fts5/fts5_aux.c) and the columns' weights, written out: the reference below
# shares no code with the service.
K1, B, TITLE, BODY = 1.2, 0.75, 2.0, 1.0


def _fts5_ranked(database: Database, word: str) -> list[Hit]:
    """FTS5 scoring every match, sorted whole by score, then type, then id."""
    with database.read() as connection:
        rows = connection.execute(
            text(
                "SELECT e.kind, e.key, -bm25(search_fts, 2.0, 1.0) AS score FROM search_entry e "
                "JOIN search_fts f ON f.rowid = e.id WHERE search_fts MATCH :q "
                "ORDER BY score DESC, e.kind, e.key"
            ),
            {"q": f'"{term(word)}"'},
        )
        return [(kind, key, round(score, 6)) for kind, key, score in rows]


def _entries(database: Database) -> list[tuple[str, str, list[str], list[str]]]:
    with database.read() as connection:
        rows = connection.execute(
            select(
                SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key, SEARCH_ENTRY.c.title_terms, SEARCH_ENTRY.c.body_terms
            )
        )
        return [(kind, key, title.split(), body.split()) for kind, key, title, body in rows]


def _every_match_ranked(database: Database, word: str, entries: list[Any] | None = None) -> list[Hit]:
    """The reference on either engine: every entry holding the word scored by bm25 as FTS5 computes it,
    from search_entry's terms alone, sorted whole by score, then type, then id."""
    entries = entries if entries is not None else _entries(database)
    wanted = term(word)
    holding = [
        (kind, key, TITLE * title.count(wanted) + BODY * body.count(wanted), len(title) + len(body))
        for kind, key, title, body in entries
        if wanted in title or wanted in body
    ]
    average = sum(len(title) + len(body) for _, _, title, body in entries) / len(entries)
    idf = math.log((len(entries) - len(holding) + 0.5) / (len(holding) + 0.5))
    idf = idf if idf > 0.0 else 1e-6
    scored = [
        (kind, key, idf * ((weight * (K1 + 1.0)) / (weight + K1 * (1 - B + B * length / average))))
        for kind, key, weight, length in holding
    ]
    scored.sort(key=lambda hit: (-hit[2], hit[0], hit[1]))
    return [(kind, key, round(score, 6)) for kind, key, score in scored]


def _every_page(database: Database, word: str, limit: int) -> tuple[list[Hit], set[int]]:
    """Every hit of a one-word search, page after page, and the totals the pages gave."""
    seen: list[Hit] = []
    totals: set[int] = set()
    cursor = None
    while True:
        page = hits.search(database, parse(word), kinds=[], limit=limit, cursor=cursor)
        seen += [(hit.type, hit.id, hit.score) for hit in page.data]
        totals.add(page.meta.total)
        if (cursor := page.meta.next_cursor) is None:
            return seen, totals


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """3,000 claims of the benchmark's generator: Zipf-skewed words, so long ties and many weights. Loaded
    as the benchmark loads it: on PostgreSQL by COPY, the postings derived in bulk afterwards."""
    with fresh_database_url(tmp_path_factory.mktemp("postings")) as url:
        database = create_database(Settings(database_url=url))
        fill(database, Corpus(3000))
        yield database
        database.dispose()


def _seed_words(database: Database) -> list[str]:
    with database.read() as connection:
        return [row[0] for row in connection.execute(text("SELECT DISTINCT term FROM search_posting"))]


@sqlite_only
def test_the_reference_is_fts5s_ranking(seeded_database: Database, synthetic: Database) -> None:
    for database, words in ((seeded_database, _seed_words(seeded_database)), (synthetic, Corpus(3000).words)):
        entries = _entries(database)
        for word in words[:400]:
            assert _every_match_ranked(database, word, entries) == _fts5_ranked(database, word), word


def test_every_word_of_the_seed_ranks_as_bm25_ranks_it(seeded_database: Database) -> None:
    words = _seed_words(seeded_database)
    assert len(words) > 300
    entries = _entries(seeded_database)
    for word in words:
        expected = _every_match_ranked(seeded_database, word, entries)
        page = hits.search(seeded_database, parse(word), kinds=[], limit=5)
        assert page.meta.total == len(expected), word
        assert [(hit.type, hit.id, hit.score) for hit in page.data] == expected[:5], word


@pytest.mark.parametrize("rank", [0, 3, 40, 197, 1500])
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_pages_of_a_common_or_rare_word_are_bm25s_ranking_of_every_match(
    synthetic: Database, rank: int, limit: int
) -> None:
    word = Corpus(3000).words[rank]
    expected = _every_match_ranked(synthetic, word)
    assert expected, word
    seen, totals = _every_page(synthetic, word, limit)
    assert totals == {len(expected)}
    assert seen == expected


def test_a_one_word_search_reads_postings_not_every_match(synthetic: Database) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(synthetic.read_engine, "before_cursor_execute", record)
    try:
        page = hits.search(synthetic, parse(Corpus(3000).words[0]), kinds=[], limit=20)
    finally:
        event.remove(synthetic.read_engine, "before_cursor_execute", record)
    assert len(page.data) == 20
    assert any("search_posting" in statement for statement in statements)
    # Neither FTS5 nor the tsvector: no statement scores the matches.
    assert not any(re.search(r"search_fts|\btsv\b", statement) for statement in statements)
    # Phrases, prefixes, several words and a type filter still rank on the full-text index.
    statements.clear()
    event.listen(synthetic.read_engine, "before_cursor_execute", record)
    try:
        hits.search(synthetic, parse("mobile*"), kinds=[], limit=20)
        hits.search(synthetic, parse("mobile"), kinds=["claim"], limit=20)
    finally:
        event.remove(synthetic.read_engine, "before_cursor_execute", record)
    assert not any("search_posting" in statement for statement in statements)


def test_posting_reads_are_primary_key_ranges(synthetic: Database) -> None:
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    event.listen(synthetic.read_engine, "before_cursor_execute", record)
    try:
        first = hits.search(synthetic, parse(Corpus(3000).words[0]), kinds=[], limit=20)
        hits.search(
            synthetic, parse(Corpus(3000).words[0]), kinds=[], limit=20, cursor=first.meta.next_cursor
        )
    finally:
        event.remove(synthetic.read_engine, "before_cursor_execute", record)
    plans: list[str] = []
    sqlite = engine_under_test() == "sqlite"
    with synthetic.read() as connection:
        for statement, parameters in statements:
            if "search_posting" in statement:
                explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
                rows = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
                plans += [str(row[-1]) for row in rows]
    posting_lines = [line for line in plans if "search_posting" in line]
    assert posting_lines
    key_range = (
        r"SEARCH search_posting USING PRIMARY KEY \(term=\?"
        if sqlite
        else r".*Index (Only )?Scan( Backward)? using pk_search_posting on search_posting"
    )
    assert all(re.match(key_range, line) for line in posting_lines), posting_lines


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL's generic plans")
@pytest.mark.parametrize("cursor", [False, True])
def test_the_one_statement_reads_each_weight_group_once_in_a_generic_plan_too(
    synthetic: Database, cursor: bool
) -> None:
    """A prepared statement is planned generically after a few runs (psycopg prepares it on the server):
    flattened into one join, such a plan once read every posting of the word, each with a subquery."""
    word = term(Corpus(3000).words[0])
    after = None
    if cursor:
        first = hits.search(synthetic, parse(word), kinds=[], limit=20)
        after = decode_cursor("search", first.meta.next_cursor or "", (float, str, str))
    params = {"term": word, "wanted": 21, "k1": K1, "b": B}
    params |= dict(zip(("last_score", "last_kind", "last_key"), after or (math.inf, "", ""), strict=True))
    with synthetic.read() as connection:
        sql = one_statement._PAGE._for(connection).sql
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
        numbered = re.sub(r"%\((\w+)\)s", lambda found: f"${names.index(found.group(1)) + 1}", sql)
        types = {"term": "text", "wanted": "bigint", "last_kind": "text", "last_key": "text"}
        declared = [types.get(name, "float8") for name in names]
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(f"PREPARE page ({', '.join(declared)}) AS {numbered}".replace("%%", "%"))
        # EXECUTE inside EXPLAIN takes no bound parameters: the test's own values, as literals.
        arguments = ", ".join(
            f"CAST('{str(params[name]).replace(chr(39), chr(39) * 2)}' AS {kind})"
            for name, kind in zip(names, declared, strict=True)
        )
        try:
            explained = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page({arguments})".replace("%", "%%")
            ).scalar_one()
        finally:
            connection.exec_driver_sql("DEALLOCATE page")
            connection.exec_driver_sql("RESET plan_cache_mode")
        groups = connection.execute(
            text("SELECT count(DISTINCT weight) FROM search_posting WHERE term = :term"), {"term": word}
        ).scalar_one()
    posting_reads = [
        node for node in _nodes(explained[0]["Plan"]) if node.get("Relation Name") == "search_posting"
    ]
    assert posting_reads
    assert all(node["Actual Loops"] <= groups for node in posting_reads), [
        (node["Node Type"], node["Actual Loops"]) for node in posting_reads
    ]


def _page(database: Database, word: str, limit: int = 10) -> list[Hit]:
    return [
        (hit.type, hit.id, hit.score)
        for hit in hits.search(database, parse(word), kinds=[], limit=limit).data
    ]


def test_postings_follow_every_write(tmp_path: Path) -> None:
    with fresh_database_url(tmp_path) as url, curating(url) as curator:
        created = curator.write(
            "POST",
            "/v1/claims",
            {
                "document": "pakistan-it-sector",
                "statement": "Zanzibarian freelancers will create jobs.",
                "quote": "creating jobs",
                "kind": "prediction",
                "themes": ["outlook"],
                "entities": ["pakistan"],
            },
        )
        assert created.status_code == 201, created.text
        patched = curator.write(
            "PATCH",
            "/v1/claims/pkit-038",
            {"statement": "Careem is a zanzibarian unicorn, zanzibarian twice."},
            if_match="current",
        )
        assert patched.status_code == 200, patched.text
        assert curator.write("DELETE", "/v1/claims/pkit-001", if_match="current").status_code == 204
        renamed = curator.write(
            "PATCH", "/v1/themes/freelancing-exports", {"name": "Zanzibarian exports"}, if_match="current"
        )
        assert renamed.status_code == 200, renamed.text
        renamed = curator.write(
            "PATCH", "/v1/entities/careem", {"name": "Careem Zanzibarian Networks"}, if_match="current"
        )
        assert renamed.status_code == 200, renamed.text
        with curator.database.write() as connection:
            search_index.check(connection)
        body = curator.client.get("/v1/search", params={"q": "zanzibarian"}).json()
        found = {(hit["type"], hit["id"]) for hit in body["data"]}
        assert found == {
            ("claim", created.json()["id"]),
            ("claim", "pkit-038"),
            ("theme", "freelancing-exports"),
            ("entity", "careem"),
        }
        assert body["meta"]["total"] == 4
        for word in ("zanzibarian", "careem", "exports", "the"):
            assert _page(curator.database, word) == _every_match_ranked(curator.database, word)[:10], word
        # A rebuild replaces every entry: the postings and the tallies are derived again in one pass, and
        # the triggers that keep them are back for the next write.
        with curator.database.write() as connection:
            search_index.rebuild(connection)
            search_index.check(connection)
        patched = curator.write(
            "PATCH", "/v1/claims/pkit-038", {"statement": "Careem, once zanzibarian."}, if_match="current"
        )
        assert patched.status_code == 200, patched.text
        with curator.database.write() as connection:
            search_index.check(connection)
        assert _page(curator.database, "careem") == _every_match_ranked(curator.database, "careem")[:10]


def test_check_notices_postings_out_of_step(migrated_database: Database) -> None:
    with migrated_database.write() as connection:
        connection.execute(
            text(
                "INSERT INTO search_entry (kind, key, title, body, title_terms, body_terms) "
                "VALUES ('theme', 't', 'Mobile', 'Mobile money', 'mobil', 'mobil money')"
            )
        )
        search_index.check(connection)
        connection.execute(text("UPDATE search_entry SET body_terms = 'mobil money money' WHERE key = 't'"))
        search_index.check(connection)
        connection.execute(text("DELETE FROM search_posting WHERE term = 'money'"))
        with pytest.raises(AssertionError, match="1 missing"):
            search_index.check(connection)


@pytest.mark.skipif(engine_under_test() != "postgresql", reason="PostgreSQL's statement time limit")
def test_deriving_every_posting_is_not_held_to_a_requests_time_limit(tmp_path: Path) -> None:
    """`sectorfacts rebuild` derives all postings in one statement, which at 100,000 claims ran past the
    5 s limit meant for requests and failed; the limit is lifted for that transaction only."""
    with fresh_database_url(tmp_path) as url:
        database = create_database(Settings(database_url=url, statement_timeout_ms=100))
        try:
            fill(database, Corpus(500))
            with database.write() as connection:
                assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "100ms"
                search_index.rebuild(connection)
                assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "0"
            with database.write() as connection:  # the next transaction has the limit again
                assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "100ms"
                search_index.check(connection)
        finally:
            database.dispose()
