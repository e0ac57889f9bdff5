"""The claim list answers on the seeded data."""

from fastapi.testclient import TestClient


def test_claims_list_answers_first_page_in_document_order(client: TestClient) -> None:
    body = client.get("/v1/claims").json()
    starts = [claim["span"]["start"] for claim in body["data"]]
    assert starts == sorted(starts)
    assert body["meta"]["limit"] == 20
    assert body["meta"]["total"] > 20
