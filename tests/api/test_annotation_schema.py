"""GET /v1/schema/annotations: the annotation format as a JSON Schema that the real files satisfy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from seed.loader import DEFAULT_ANNOTATIONS
from tests.api.support import get_json

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "pakistan-digital-economy.yaml"


def _as_json(path: Path) -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML reads dates as dates; in JSON (what the schema describes) they are strings.
    for document in raw["documents"]:
        for key in ("published_date", "retrieved_date"):
            if document.get(key) is not None:
                document[key] = str(document[key])
    return raw


def _check(
    client: TestClient, folder: Path, instances: dict[str, dict[str, Any]]
) -> subprocess.CompletedProcess[str]:
    """Validate `instances` against the published schema with check-jsonschema (a dev dependency)."""
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        pytest.fail("check-jsonschema is not installed in the test environment (a dev dependency)")
    schema = folder / "schema.json"
    schema.write_text(json.dumps(get_json(client, "/v1/schema/annotations")), encoding="utf-8")
    files = []
    for name, instance in instances.items():
        files.append(folder / f"{name}.json")
        files[-1].write_text(json.dumps(instance), encoding="utf-8")
    command = [checker, "--check-metaschema", str(schema)]
    metaschema = subprocess.run(command, capture_output=True, text=True, check=False)
    assert metaschema.returncode == 0, metaschema.stdout + metaschema.stderr
    command = [checker, "--schemafile", str(schema), *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_seed_and_the_ingest_fixture_satisfy_the_published_schema(
    client: TestClient, tmp_path: Path
) -> None:
    result = _check(client, tmp_path, {"seed": _as_json(DEFAULT_ANNOTATIONS), "fixture": _as_json(FIXTURE)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_refuses_what_the_loader_refuses(client: TestClient, tmp_path: Path) -> None:
    raw = _as_json(FIXTURE)
    raw["claims"][0]["colour"] = "blue"
    raw["claims"][1]["kind"] = "rumour"
    raw["entities"][0]["slug"] = "Not A Slug"
    result = _check(client, tmp_path, {"broken": raw})
    assert result.returncode == 1
    for place in ("$.claims[0]", "$.claims[1].kind", "$.entities[0].slug"):
        assert place in result.stdout + result.stderr


def test_the_schema_names_its_format(client: TestClient) -> None:
    schema = get_json(client, "/v1/schema/annotations")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # /2 adds cited documents, paraphrases and relations; /1 files stay valid.
    formats = ["sectorfacts-annotations/1", "sectorfacts-annotations/2"]
    assert schema["properties"]["format"]["enum"] == formats
    assert schema["additionalProperties"] is False
