"""Records the OpenAPI contract: `.venv/bin/python -m tests.record_openapi` writes docs/openapi.json.

tests/api/test_contract.py fails whenever the document the app generates differs from the committed
one, so every change to the API's contract (a route, a parameter, a field, a status) is made on purpose:
change the code, run this, review the diff of docs/openapi.json, commit both.
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


def generated() -> dict[str, Any]:
    """The OpenAPI document of an app with the default settings (nothing connects to build it)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            Settings(database_url=f"sqlite:///{Path(folder) / 'unused.db'}", metrics_enabled=True)
        )
        document: dict[str, Any] = app.openapi()
        app.state.database.dispose()
    return document


def render(document: dict[str, Any]) -> str:
    """The committed form: indented, key order kept, UTF-8, one final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write docs/openapi.json."""
    CONTRACT.write_text(render(generated()), encoding="utf-8")
    print(f"wrote {CONTRACT}")


if __name__ == "__main__":
    main()
