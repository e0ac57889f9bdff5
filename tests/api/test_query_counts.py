"""Each list runs a fixed number of SQL statements, whatever the page size (no N+1 queries)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import DOCUMENT_ID
from tests.api.support import get_json
from tests.conftest import StatementLog


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
