"""`sectorfacts mcp`, driven by the MCP SDK's own client: over stdio (a subprocess) and streamable HTTP, and
in process for the finer checks. Its answers must be the HTTP API's, with the citation alongside."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters
from mcp_types import CallToolResult

from app.cli import main
from app.config import Settings
from app.db import Database, create_database
from app.mcp_server import build_server
from seed.loader import DEFAULT_ANNOTATIONS
from tests.conftest import BASE_URL
from tests.system.support import SECTORFACTS, free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENT_FILE = Path(DEFAULT_ANNOTATIONS).parent / "pakistan-it-sector.txt"
TOOLS = {
    "search_claims",
    "get_claim",
    "cite_claim",
    "list_entity_claims",
    "list_theme_claims",
    "list_themes",
    "find_entities",
}


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "SECTORFACTS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}


def _structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


async def _quoted_and_cited(client: Client, api: TestClient) -> None:
    """List the tools, find a claim by its words, get it and cite it: each the API's answer, cited."""
    listed = await client.list_tools()
    assert {tool.name for tool in listed.tools} == TOOLS
    assert all(tool.annotations is not None and tool.annotations.read_only_hint for tool in listed.tools)
    found = _structured(await client.call_tool("search_claims", {"query": "freelancing", "limit": 3}))
    assert found["data"], found
    first = found["data"][0]
    claim = api.get(f"/v1/claims/{first['id']}").json()
    citation = api.get(f"/v1/claims/{first['id']}/cite").json()
    # The claim as the API answers it, plus its source and citation as /cite answers them.
    assert {key: first[key] for key in claim} == claim
    cited_source = {"document_id": citation["source"]["id"]} | {
        key: value for key, value in citation["source"].items() if key != "id"
    }
    assert {key: first["source"][key] for key in cited_source} == cited_source
    assert first["citation"] == citation["citation"]
    assert first["quote"] in first["citation"]
    got = _structured(await client.call_tool("get_claim", {"claim_id": first["id"]}))
    assert got == first
    cited = _structured(await client.call_tool("cite_claim", {"claim_id": first["id"]}))
    assert cited == citation | {"span": claim["span"]}


def readme_configuration() -> dict[str, Any]:
    """The MCP server configuration README.md's "Use it from…" section gives an assistant."""
    section = README.read_text(encoding="utf-8").split("## Use it from…", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```json\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, blocks
    configuration: dict[str, Any] = json.loads(blocks[0])["mcpServers"]["sectorfacts"]
    return configuration


def test_stdio_subprocess_lists_tools_and_answers_a_quoted_cited_claim(
    seeded_url: str, client: TestClient, tmp_path: Path
) -> None:
    """Started as README.md's configuration says (on the test's database; its permalinks are the API's
    default address, the README's)."""
    configured = readme_configuration()
    assert configured["command"] == "sectorfacts"
    assert set(configured["env"]) == {"SECTORFACTS_DATABASE_URL"}
    server = StdioServerParameters(
        command=str(SECTORFACTS),
        args=configured["args"],
        env=_env(seeded_url),
        cwd=tmp_path,
    )

    async def session() -> None:
        async with Client(server) as mcp:
            await _quoted_and_cited(mcp, client)

    anyio.run(session)


@pytest.fixture
def http_server(seeded_url: str, tmp_path: Path) -> Iterator[str]:
    """`sectorfacts mcp --http` on a free loopback port; yields its endpoint's URL once it accepts."""
    port = free_port()
    log = tmp_path / "mcp.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SECTORFACTS), "mcp", "--http", "--port", str(port), "--base-url", BASE_URL],
            env=_env(seeded_url),
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_streamable_http_lists_tools_and_answers_a_quoted_cited_claim(
    http_server: str, client: TestClient
) -> None:
    async def session() -> None:
        async with Client(http_server) as mcp:
            await _quoted_and_cited(mcp, client)

    anyio.run(session)


def test_http_is_refused_where_reads_need_a_key(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECTORFACTS_DATABASE_URL", seeded_url)
    monkeypatch.setenv("SECTORFACTS_READS_REQUIRE_KEY", "true")
    assert main(["mcp", "--http", "--port", str(free_port())]) == 1
    assert "checks no key" in capsys.readouterr().err


@pytest.fixture(scope="module")
def database(seeded_url: str) -> Iterator[Database]:
    opened = create_database(Settings(database_url=seeded_url))
    yield opened
    opened.dispose()


def _call(database: Database, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async def call() -> CallToolResult:
        async with Client(build_server(database, base_url=BASE_URL)) as mcp:
            return await mcp.call_tool(tool, arguments)

    return anyio.run(call)


def test_theme_and_entity_pages_are_the_apis_in_order_with_quotes_in_their_spans(
    database: Database, client: TestClient
) -> None:
    document_text = DOCUMENT_FILE.read_text(encoding="utf-8")
    for tool, argument, path in (
        ("list_theme_claims", {"theme": "freelancing-exports"}, "/v1/themes/freelancing-exports/claims"),
        ("list_entity_claims", {"entity": "freelancers"}, "/v1/entities/freelancers/claims"),
    ):
        ids: list[str] = []
        cursor = None
        while True:
            page = _structured(_call(database, tool, {**argument, "limit": 4, "cursor": cursor}))
            for claim in page["data"]:
                span = claim["span"]
                assert document_text[span["start"] : span["end"]] == claim["quote"]
                assert claim["permalink"] == f"{BASE_URL}/v1/claims/{claim['id']}"
            ids += [claim["id"] for claim in page["data"]]
            if (cursor := page["next_cursor"]) is None:
                break
        expected = client.get(path, params={"limit": 100}).json()
        assert ids == [claim["id"] for claim in expected["data"]]
        assert page["total"] == expected["meta"]["total"] == len(ids) > 0


def test_a_clients_mistake_is_a_readable_tool_error(database: Database) -> None:
    for tool, arguments, said in (
        ("get_claim", {"claim_id": "pkit-999"}, "No claim 'pkit-999'"),
        ("list_theme_claims", {"theme": "no-such-theme"}, "no-such-theme"),
        ("search_claims", {"query": "-freelancing"}, "not negated"),
        ("list_entity_claims", {"entity": "freelancers", "cursor": "garbage"}, "cursor"),
    ):
        result = _call(database, tool, arguments)
        assert result.is_error, (tool, result)
        assert said in result.content[0].text, (tool, result.content)  # type: ignore[union-attr]
