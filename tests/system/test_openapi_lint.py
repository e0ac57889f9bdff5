"""The OpenAPI contract, and the document the app serves (the contract with its response examples), lint
clean with Redocly CLI (npm), under tests/system/node/redocly.yaml."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.record_openapi import CONTRACT, UPDATE_COMMAND, contract, generated, render
from tests.system.npm_tools import NODE_PROJECT, npm_tools, run_tool

CONFIG = NODE_PROJECT / "redocly.yaml"
# Where the served document is linted: the ignore file beside the config names it.
SERVED = NODE_PROJECT / "served" / "openapi.json"


@pytest.fixture(scope="module")
def tools() -> Path:
    return npm_tools()


def _lint(document: Path) -> tuple[int, str]:
    linted = run_tool(
        "redocly", "lint", "--config", str(CONFIG), "--format=stylish", str(document), cwd=NODE_PROJECT
    )
    return linted.returncode, linted.stdout + linted.stderr


def test_the_generated_contract_lints_clean(tools: Path) -> None:
    # The ignore file names the committed document; it must be the one the app generates now.
    assert CONTRACT.read_text(encoding="utf-8") == render(contract(generated())), f"run `{UPDATE_COMMAND}`"
    code, output = _lint(CONTRACT)
    assert code == 0, output


def test_the_served_document_with_its_examples_lints_clean(tools: Path) -> None:
    # The examples are checked against their schemas here (no-invalid-media-type-examples).
    served = generated()
    assert served["components"]["examples"]
    SERVED.parent.mkdir(exist_ok=True)
    # Written whole, then renamed into place: the SQLite and PostgreSQL runs of the suite may both write it.
    partial = SERVED.with_name(f".{uuid.uuid4().hex}.json")
    partial.write_text(json.dumps(served), encoding="utf-8")
    os.replace(partial, SERVED)
    code, output = _lint(SERVED)
    assert code == 0, output


def test_the_lint_refuses_a_flawed_document(tools: Path, tmp_path: Path) -> None:
    # The same document with two operations sharing an id and a reference to nothing: the lint must say so.
    document = generated()
    document["paths"]["/v1/claims"]["post"]["operationId"] = "list_claims"
    answers = document["paths"]["/v1/claims"]["get"]["responses"]
    answers["200"] = {"$ref": "#/components/responses/NoSuchAnswer"}
    flawed = tmp_path / "openapi.json"
    flawed.write_text(json.dumps(document), encoding="utf-8")
    code, output = _lint(flawed)
    assert code != 0
    assert "operation-operationId-unique" in output
    assert "no-unresolved-refs" in output
