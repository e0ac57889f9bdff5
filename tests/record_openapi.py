"""Records the OpenAPI contract: `.venv/bin/python -m tests.record_openapi` writes docs/openapi.json.

tests/api/test_contract.py fails whenever the document the app generates differs from the committed
one, so every change to the API's contract (a route, a parameter, a field, a status) is made on purpose:
change the code, run this, review the diff of docs/openapi.json, commit both.

The committed contract is the document `/openapi.json` serves without its response examples
(`components/examples` and the references to them): those are answers of the seeded data, recorded in
app/api/examples.json by tests/record_examples.py and checked against the live API there, so re-recording
them after a curation change is no contract change. Request-body and problem examples, written by hand
beside their routes, stay.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from app.config import Settings
from app.main import create_app

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
UPDATE_COMMAND = ".venv/bin/python -m tests.record_openapi"


def generated(**settings: Any) -> dict[str, Any]:
    """The OpenAPI document of an app with the default settings, or these (nothing connects to build it)."""
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'unused.db'}"
        app = create_app(Settings(database_url=database_url, metrics_enabled=True, **settings))
        document: dict[str, Any] = app.openapi()
        app.state.database.dispose()
    return document


EXAMPLES_PREFIX = "#/components/examples/"


def contract(document: dict[str, Any]) -> dict[str, Any]:
    """`document` as committed: without `components/examples` and the `examples` maps that only refer to
    them (a copy; the document is left as it is)."""

    def without_examples(value: Any) -> Any:
        if isinstance(value, list):
            return [without_examples(item) for item in value]
        if not isinstance(value, dict):
            return value
        return {
            key: without_examples(item)
            for key, item in value.items()
            if not (key == "examples" and _only_shared_examples(item))
        }

    kept: dict[str, Any] = without_examples(document)
    kept.get("components", {}).pop("examples", None)
    return kept


def _only_shared_examples(examples: Any) -> bool:
    return bool(examples) and all(
        isinstance(example, dict) and str(example.get("$ref", "")).startswith(EXAMPLES_PREFIX)
        for example in examples.values()
    )


# The committed form is for reading diffs: keys sorted (so a change moves no other line), and whatever fits
# on one line of WIDTH characters kept there, without spaces (a parameter, a reference, a short schema), so
# a change to a field is a one-line change and the file stays small.
WIDTH = 110


def _rendered(value: Any, depth: int, column: int) -> str:
    flat = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if column + len(flat) < WIDTH or not value or not isinstance(value, dict | list):
        return flat
    inner = " " * (depth + 1)
    if isinstance(value, dict):
        items = []
        for key in sorted(value):
            head = f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            items.append(head + _rendered(value[key], depth + 1, len(head)))
        opening, closing = "{", "}"
    else:
        items = [inner + _rendered(item, depth + 1, len(inner)) for item in value]
        opening, closing = "[", "]"
    return opening + "\n" + ",\n".join(items) + "\n" + " " * depth + closing


def render(document: dict[str, Any]) -> str:
    """The committed form: keys sorted, one line per field where it fits, UTF-8, one final newline."""
    return _rendered(document, 0, 0) + "\n"


def main() -> None:
    """Write docs/openapi.json."""
    CONTRACT.write_text(render(contract(generated())), encoding="utf-8")
    print(f"wrote {CONTRACT}")


if __name__ == "__main__":
    main()
