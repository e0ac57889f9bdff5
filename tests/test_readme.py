"""The documentation's examples are real: each curl line's printed answer is what the API answers now.

The examples live in README.md and docs/*.md (`tests.record_examples.EXAMPLE_FILES`); together they
show every /v1 route.
"""

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.record_examples import EXAMPLE_FILES, engine_neutral

EXAMPLE = re.compile(r"^\$ curl -s 'http://127\.0\.0\.1:8000(?P<path>[^']+)'\n(?P<body>.+)$", re.MULTILINE)
EXAMPLES = [
    (match["path"], match["body"])
    for file in EXAMPLE_FILES
    for match in EXAMPLE.finditer(file.read_text(encoding="utf-8"))
]


def test_the_docs_have_examples() -> None:
    assert len(EXAMPLES) >= 33, f"only {len(EXAMPLES)} curl examples found in {EXAMPLE_FILES}"


def test_the_docs_show_an_example_of_every_route(client: TestClient) -> None:
    shown = {re.sub(r"\?.*", "", path) for path, _ in EXAMPLES}
    for path in client.get("/openapi.json").json()["paths"]:
        if path.startswith(("/v1/", "/healthz", "/readyz")):
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
            assert any(re.match(pattern, example) for example in shown), f"the docs have no example of {path}"


@pytest.mark.parametrize(("path", "printed"), EXAMPLES, ids=[path for path, _ in EXAMPLES])
def test_the_docs_example_matches_the_live_answer(client: TestClient, path: str, printed: str) -> None:
    answer = client.get(path)
    assert engine_neutral(path, answer.json()) == engine_neutral(path, json.loads(printed))
