"""Each list runs a fixed number of SQL statements, whatever the page size (no N+1 queries)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import DOCUMENT_ID
from tests.api.support import get_json
from tests.conftest import StatementLog
from tests.databases import engine_under_test


def _statements(client: TestClient, log: StatementLog, path: str, limit: int) -> int:
    log.statements.clear()
    body = get_json(client, path, [("limit", limit)])
    assert len(body["data"]) == min(limit, body["meta"]["total"])
    return len(log.statements)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims",
        "/v1/claims?theme=sector-growth,outlook&entity=pakistan&kind=fact,opinion",
        "/v1/themes/startups-entrepreneurship/claims",
        "/v1/entities/pakistan/claims",
        f"/v1/documents/{DOCUMENT_ID}/claims",
        "/v1/entities",
        "/v1/entities?type=group,industry&q=e",
        "/v1/themes",
        "/v1/documents",
    ],
)
def test_a_lists_statements_do_not_grow_with_its_items(
    client: TestClient, statement_log: StatementLog, path: str
) -> None:
    """Whatever the page size, a list runs the same statements (app.services.claim_plans: a range page
    reads its claims whole in the page statement, a keyset page reads them by id in one more)."""
    one = _statements(client, statement_log, path, 1)
    hundred = _statements(client, statement_log, path, 100)
    assert one > 0, "the statement log saw no query"
    assert one == hundred, statement_log.statements


def test_claims_page_of_100_needs_few_statements(client: TestClient, statement_log: StatementLog) -> None:
    count = _statements(client, statement_log, "/v1/claims", 100)
    assert count <= 6, statement_log.statements


def test_paging_through_claims_runs_the_same_statements_per_page(
    client: TestClient, statement_log: StatementLog
) -> None:
    statement_log.statements.clear()
    first = get_json(client, "/v1/claims", [("limit", 10)])
    on_first = len(statement_log.statements)
    statement_log.statements.clear()
    get_json(client, "/v1/claims", [("limit", 10), ("cursor", first["meta"]["next_cursor"])])
    assert len(statement_log.statements) == on_first


@pytest.mark.parametrize(
    ("path", "params", "statements"),
    [
        ("/v1/claims", [("theme", "sector-growth")], 1),
        ("/v1/claims", [("theme", "sector-growth"), ("entity", "pakistan")], 1),
        ("/v1/claims", [("entity", "pakistan")], 1),
        ("/v1/claims/facets", [("theme", "sector-growth")], 1),
    ],
)
def test_hot_reads_take_one_round_trip_each_on_either_engine(
    client: TestClient, statement_log: StatementLog, path: str, params: list[tuple[str, str]], statements: int
) -> None:
    """The commonest lists are one statement (ids, tally and page together) on SQLite and PostgreSQL
    alike; facets, kept since the first request (app/answer_cache.py), one: the data revision."""
    get_json(client, path, params)  # warm: nothing first-use only is counted
    statement_log.statements.clear()
    get_json(client, path, params)
    assert len(statement_log.statements) == statements, statement_log.statements


def test_one_claim_and_a_search_page_are_one_statement(
    client: TestClient, statement_log: StatementLog
) -> None:
    """GET a claim reads it whole in one statement; on PostgreSQL a search page (count, ranks, texts) is
    one too, whether it reads one word's postings or ranks several words on the tsvector (SQLite reads
    one word's term counts, then its page of postings and texts: two)."""
    claim_id = get_json(client, "/v1/claims", [("limit", 1)])["data"][0]["id"]
    statement_log.statements.clear()
    get_json(client, f"/v1/claims/{claim_id}", [])
    assert len(statement_log.statements) == 1, statement_log.statements
    for query in ("software", "pakistan software"):
        statement_log.statements.clear()
        get_json(client, "/v1/search", [("q", query)])
        if engine_under_test() == "postgresql":
            assert len(statement_log.statements) == 1, statement_log.statements
            one_word = "search_posting" in statement_log.statements[0]
            assert one_word == (query == "software"), statement_log.statements
        elif query == "software":
            assert len(statement_log.statements) == 2, statement_log.statements
