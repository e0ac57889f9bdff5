"""The README's examples are real: each curl line's printed answer is what the API answers now."""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.record_examples import engine_neutral

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"^\$ curl -s 'http://127\.0\.0\.1:8000(?P<path>[^']+)'\n(?P<body>.+)$", re.MULTILINE)
EXAMPLES = [(m["path"], m["body"]) for m in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]


def test_readme_shows_an_example_of_every_route(client: TestClient) -> None:
    shown = {re.sub(r"\?.*", "", path) for path, _ in EXAMPLES}
    for path in client.get("/openapi.json").json()["paths"]:
        if path.startswith(("/v1/", "/healthz", "/readyz")):
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
            assert any(re.match(pattern, example) for example in shown), f"README has no example of {path}"


@pytest.mark.parametrize(("path", "printed"), EXAMPLES, ids=[path for path, _ in EXAMPLES])
def test_readme_example_matches_the_live_answer(client: TestClient, path: str, printed: str) -> None:
    answer = client.get(path)
    assert engine_neutral(path, answer.json()) == engine_neutral(path, json.loads(printed))
