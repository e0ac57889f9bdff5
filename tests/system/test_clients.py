"""Typed clients generated from the committed contract (docs/openapi.json) drive a live server.

The Python client (openapi-python-client) and the TypeScript one (openapi-typescript types with the
openapi-fetch client) are generated here, in the test run, never committed. Each runs a small program
(tests/system/clients/): list a theme's claims following the cursor, list an entity's, get a claim, read
the problem details of a 404 and a 422, create a claim with a key and edit it with If-Match. The
TypeScript program compiles under `tsc --strict` with no type assertion and no `any`; the Python one
passes `mypy --strict` against the generated package. README.md's "Use it from…" snippets run too, and
docs/clients.md's are type-checked the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.databases import fresh_database_url
from tests.record_openapi import CONTRACT
from tests.system.npm_tools import NODE_MODULES, npm_tools, run_tool
from tests.system.support import run_sectorfacts, serving

CLIENTS = Path(__file__).resolve().parent / "clients"
README = Path(__file__).resolve().parents[2] / "README.md"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "clients.md"
README_URL = "http://127.0.0.1:8000"
OPENAPI_PYTHON_CLIENT = Path(sys.executable).parent / "openapi-python-client"
# A theme with several pages of two claims (so the cursor is followed), and an entity with claims.
THEME, ENTITY = "talent-workforce", "careem"
# The README's snippets list this theme's first claims.
README_THEME, README_LIMIT = "outlook", 3
TIMEOUT_S = 120


@dataclass(frozen=True)
class Live:
    """A `sectorfacts serve` on a fresh seeded database, and a write key for it."""

    base_url: str
    key: str

    def get(self, path: str) -> httpx2.Response:
        """GET `path` with a plain HTTP client: what the programs' answers are checked against."""
        return httpx2.get(f"{self.base_url}{path}", timeout=10.0)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("clients-server")
    with fresh_database_url(folder) as url, serving(url, folder, folder / "server.log") as base_url:
        made = run_sectorfacts(url, folder, "keys", "create", "--name", "clients", "--scope", "write")
        assert made.returncode == 0, made.stderr
        yield Live(base_url=base_url, key=made.stdout.strip())


def code_blocks(text: str, language: str) -> list[str]:
    """The ```language fenced blocks of a Markdown text."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def readme_snippet(language: str) -> str:
    """The README's `language` code block in its "Use it from…" section."""
    text = README.read_text(encoding="utf-8")
    blocks = code_blocks(text.split("## Use it from…", 1)[1].split("\n## ", 1)[0], language)
    assert len(blocks) == 1, f"README.md's 'Use it from…' section has {len(blocks)} {language} blocks"
    return blocks[0]


def guide_snippets(language: str) -> str:
    """docs/clients.md's `language` blocks, one program: type-checked, not run (they edit a claim)."""
    blocks = code_blocks(GUIDE.read_text(encoding="utf-8"), language)
    assert len(blocks) >= 2, f"docs/clients.md has {len(blocks)} {language} blocks"
    return "\n".join(blocks)


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
        env={**os.environ, **env},
    )


# -- TypeScript: openapi-typescript + openapi-fetch, tsc --strict ---------------------------------------


@pytest.fixture(scope="module")
def typescript(tmp_path_factory: pytest.TempPathFactory, live: Live) -> Path:
    """A folder with the types generated from the contract, the program and README's snippet, compiled."""
    npm_tools()
    folder = tmp_path_factory.mktemp("typescript-client")
    generated = run_tool("openapi-typescript", str(CONTRACT), "-o", str(folder / "schema.d.ts"), cwd=folder)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    for name in ("program.ts", "tsconfig.json", "no_casts.mjs"):
        shutil.copy(CLIENTS / name, folder / name)
    (folder / "readme.ts").write_text(
        readme_snippet("ts").replace(README_URL, live.base_url), encoding="utf-8"
    )
    (folder / "guide.ts").write_text(guide_snippets("ts"), encoding="utf-8")
    (folder / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    compiled = run_tool("tsc", "-p", "tsconfig.json", cwd=folder)
    assert compiled.returncode == 0, f"tsc --strict refused the programs:\n{compiled.stdout}{compiled.stderr}"
    return folder


def test_the_typescript_programs_assert_no_type(typescript: Path) -> None:
    checked = _run(["node", "no_casts.mjs", "program.ts", "readme.ts", "guide.ts"], typescript)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_assertion_check_finds_assertions(typescript: Path) -> None:
    # The check above can fail: it names each kind of assertion it refuses.
    sample = typescript / "casts.ts"
    sample.write_text("const a: any = 1;\nconst b = a as string;\nconst c = <number>a;\nconst d = b!;\n")
    checked = _run(["node", "no_casts.mjs", "casts.ts"], typescript)
    assert checked.returncode == 1
    assert [line.split(": ")[1] for line in checked.stdout.splitlines()] == [
        "the type `any`",
        "an `as` assertion",
        "a `<T>` assertion",
        "a non-null assertion `!`",
    ]


def test_the_typescript_client_drives_the_api(typescript: Path, live: Live) -> None:
    truth = _truth(live)
    ran = _run(["node", "out/program.js", live.base_url, live.key, THEME, ENTITY], typescript)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    _check_program(json.loads(ran.stdout), truth, live)


def test_the_readme_typescript_snippet_prints_the_claims(typescript: Path, live: Live) -> None:
    ran = _run(["node", "out/readme.js"], typescript)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines() == _readme_lines(live)


# -- Python: openapi-python-client, mypy --strict ---------------------------------------------------------


@pytest.fixture(scope="module")
def python_client(tmp_path_factory: pytest.TempPathFactory, live: Live) -> Path:
    """A folder with the package generated from the contract, the program and README's snippet."""
    folder = tmp_path_factory.mktemp("python-client")
    generated = _run(
        [
            str(OPENAPI_PYTHON_CLIENT),
            "generate",
            "--path",
            str(CONTRACT),
            "--meta",
            "none",
            "--config",
            str(CLIENTS / "python-client.yaml"),
            "--output-path",
            str(folder / "sectorfacts_client"),
        ],
        folder,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # Every operation and schema became code: the generator skips what it cannot read, with a warning.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    shutil.copy(CLIENTS / "program.py", folder / "program.py")
    (folder / "readme.py").write_text(readme_snippet("python").replace(README_URL, live.base_url))
    (folder / "guide.py").write_text(guide_snippets("python"))
    return folder


def test_the_python_programs_type_check(python_client: Path) -> None:
    checked = _run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "program.py", "readme.py", "guide.py"],
        python_client,
        MYPYPATH=str(python_client),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_python_client_drives_the_api(python_client: Path, live: Live) -> None:
    truth = _truth(live)
    ran = _run([sys.executable, "program.py", live.base_url, live.key, THEME, ENTITY], python_client)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    _check_program(json.loads(ran.stdout), truth, live)


def test_the_readme_python_snippet_prints_the_claims(python_client: Path, live: Live) -> None:
    ran = _run([sys.executable, "readme.py"], python_client, PYTHONIOENCODING="utf-8")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines() == _readme_lines(live)


# -- What the programs must have seen ----------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """The claims a program will list, read just before it runs with a plain HTTP client."""

    theme_ids: list[str]
    entity_ids: list[str]
    entity_quoted: list[str]  # the entity's claims with a quote (a paraphrase has none)


def _claims(live: Live, path: str) -> list[dict[str, Any]]:
    answer = live.get(path)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["meta"]["next_cursor"] is None  # the whole list on one page of 100
    claims: list[dict[str, Any]] = body["data"]
    return claims


def _truth(live: Live) -> Truth:
    of_entity = _claims(live, f"/v1/claims?entity={ENTITY}&limit=100")
    return Truth(
        theme_ids=[claim["id"] for claim in _claims(live, f"/v1/themes/{THEME}/claims?limit=100")],
        entity_ids=[claim["id"] for claim in of_entity],
        entity_quoted=[claim["id"] for claim in of_entity if claim["basis"] == "quote"],
    )


def _readme_lines(live: Live) -> list[str]:
    page = live.get(f"/v1/claims?theme={README_THEME}&limit={README_LIMIT}").json()
    assert len(page["data"]) == README_LIMIT
    return [f"{claim['id']} {claim['quote']}" for claim in page["data"]]


def _check_program(seen: dict[str, Any], truth: Truth, live: Live) -> None:
    # The theme's claims, two a page, every one once, in order: the cursor was followed to the end.
    pages = seen["theme_pages"]
    assert len(pages) == (len(truth.theme_ids) + 1) // 2 > 1
    assert [claim_id for page in pages for claim_id in page] == truth.theme_ids
    assert seen["theme_total"] == len(truth.theme_ids)
    assert seen["entity_claims"] == truth.entity_ids
    assert seen["entity_total"] == len(truth.entity_ids)

    # The claim it got is the entity's first quoted one, and its quote is the document's text at its span.
    claim = seen["claim"]
    assert claim["id"] == truth.entity_quoted[0]
    assert seen["first_quote"] == claim["quote"]
    got = live.get(f"/v1/claims/{claim['id']}").json()
    text = live.get(f"/v1/documents/{got['document_id']}").json()["text"]
    start, end = claim["span"]
    assert text[start:end] == claim["quote"] == got["quote"]

    # Problem details, parsed by the client.
    assert seen["not_found_status"] == seen["not_found"]["status"] == 404
    assert seen["not_found"]["type"] == "/problems/not-found"
    assert "no-such-claim" in seen["not_found"]["detail"]
    assert seen["invalid_status"] == seen["invalid"]["status"] == 422
    assert seen["invalid"]["type"] == "/problems/unknown-filter-value"
    assert "no-such-theme" in seen["invalid"]["detail"]

    # The claim it created holds its edit; the edit sent with the first ETag was refused and changed nothing.
    created = seen["created"]
    assert created["status"] == 201
    assert created["id"] not in truth.theme_ids
    now = live.get(f"/v1/claims/{created['id']}")
    assert now.status_code == 200
    assert (
        now.json()["statement"]
        == seen["edited"]["statement"]
        == "Pakistan's technology sector will create jobs."
    )
    assert now.headers["etag"] == seen["edited"]["etag"] != created["etag"]
    assert {theme["slug"] for theme in now.json()["themes"]} == {THEME}
    assert ENTITY in {entity["slug"] for entity in now.json()["entities"]}
    assert seen["stale_status"] == seen["stale"]["status"] == 412
    assert seen["stale"]["type"] == "/problems/precondition-failed"
    assert created["id"] in [c["id"] for c in _claims(live, f"/v1/themes/{THEME}/claims?limit=100")]
