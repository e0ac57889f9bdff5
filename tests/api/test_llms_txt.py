"""/llms.txt: the llmstxt.org layout, every operation of the OpenAPI document listed once, live links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import BASE_URL

ENTRY = re.compile(r"- \[(?P<name>[^\]]+)\]\((?P<url>[^)]+)\)(?::\s(?P<notes>.+))?")
METHODS = ("get", "post", "put", "patch", "delete")


def _llms(client: TestClient) -> str:
    answer = client.get("/llms.txt")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_the_layout_is_llmstxt(client: TestClient) -> None:
    lines = _llms(client).splitlines()
    info = client.get("/openapi.json").json()["info"]
    # One H1 (the title), then a blockquote summary, then details, then H2 sections of link lists only.
    assert lines[0] == f"# {info['title']}"
    assert lines[2].startswith("> ")
    assert lines[2][2:] in " ".join(info["description"].split())
    assert [line for line in lines if line.startswith("# ")] == [lines[0]]
    sections = [index for index, line in enumerate(lines) if line.startswith("## ")]
    assert [lines[index] for index in sections][:1] == ["## Docs"]
    assert lines[sections[-1]] == "## Optional"
    assert not any(line.startswith("- ") for line in lines[: sections[0]])
    for line in lines[sections[0] :]:
        assert not line or line.startswith("## ") or ENTRY.fullmatch(line), line


def test_every_operation_is_listed_once_with_its_summary(client: TestClient) -> None:
    text = _llms(client)
    spec = client.get("/openapi.json").json()
    listed = [match["name"] for match in ENTRY.finditer(text)]
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert operations
    for method, path, operation in operations:
        name = f"{method.upper()} {path}"
        assert listed.count(name) == 1, name
        assert f"[{name}]({BASE_URL}{path}): {operation['summary']}" in text
    reading = text.split("## Reading the facts")[1].split("## Optional")[0]
    assert "GET /v1/claims/{claim_id}/cite" in reading
    assert not re.search(r"\[(POST|PATCH|PUT|DELETE) ", reading)


def test_the_citation_rule_names_a_route_that_exists(client: TestClient) -> None:
    text = _llms(client)
    assert "Quote it verbatim" in text
    assert "/v1/claims/{claim_id}/cite" in client.get("/openapi.json").json()["paths"]


def test_every_link_without_a_parameter_answers(client: TestClient) -> None:
    urls = {match["url"] for match in ENTRY.finditer(_llms(client))}
    plain = [url for url in urls if "{" not in url]
    assert f"{BASE_URL}/openapi.json" in plain
    assert f"{BASE_URL}/v1/claims" in plain
    operations = client.get("/openapi.json").json()["paths"]
    for url in plain:
        path = url.removeprefix(BASE_URL)
        read = operations.get(path, {}).get("get", {})
        if "text/event-stream" in read.get("responses", {}).get("200", {}).get("content", {}):
            continue  # an endless stream: tests/api/test_push.py reads it
        # Search and autocomplete need `q`; the rest answer as they are.
        answer = client.get(
            path, params={"q": "software"} if path in {"/v1/search", "/v1/autocomplete"} else None
        )
        if read.get("security"):  # a route for key holders (webhooks: admins) refuses a caller without one
            assert answer.status_code == 401, path
            continue
        # The shared app has no snapshot folder: its latest snapshot is a documented 404.
        assert answer.status_code == (404 if path == "/v1/snapshots/latest" else 200), path
