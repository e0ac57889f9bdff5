"""Records real answers of the seeded data: `python -m tests.record_examples`.

Writes the OpenAPI response examples (app/api/examples.json) and refreshes the output line under
each `$ curl -s 'http://127.0.0.1:8000…'` example in README.md. tests/api/test_openapi.py and
tests/test_readme.py fail when either no longer matches what the API answers.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.api.openapi import EXAMPLES_FILE
from app.config import Settings
from app.db import create_database
from app.main import create_app
from app.services import migrations
from seed.loader import load_seed

# Example name -> the request whose answer it records.
EXAMPLE_REQUESTS = {
    "claims_page": "/v1/claims?entity=careem&limit=2",
    "claim": "/v1/claims/pkit-038",
    "themes_page": "/v1/themes?limit=3",
    "theme": "/v1/themes/talent-workforce",
    "entities_page": "/v1/entities?type=company",
    "entity": "/v1/entities/Careem%20Networks",
    "documents_page": "/v1/documents",
    "document": "/v1/documents/pakistan-it-sector",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "search": "/v1/search?q=freelanc*&limit=3",
    "autocomplete": "/v1/autocomplete?q=car",
    "problem_type": "/problems/not-found",
    "problem_invalid": "/v1/claims?limit=0",
    "problem_not_found": "/v1/claims/no-such-claim",
    "problem_unknown_filter": "/v1/claims?theme=talent-workforce,no-such-theme",
}
UNMIGRATED_REQUESTS = {"problem_unavailable": "/readyz"}


def answers(seeded_client: TestClient, empty_client: TestClient) -> dict[str, Any]:
    """Every example, as the API answers it now."""
    recorded = {name: seeded_client.get(path).json() for name, path in EXAMPLE_REQUESTS.items()}
    recorded |= {name: empty_client.get(path).json() for name, path in UNMIGRATED_REQUESTS.items()}
    return recorded


README = Path(__file__).resolve().parents[1] / "README.md"
README_EXAMPLE = re.compile(r"^(\$ curl -s 'http://127\.0\.0\.1:8000(?P<path>[^']+)'\n).+$", re.MULTILINE)


def refresh_readme(seeded_client: TestClient) -> int:
    """Rewrite the answer under every curl example in the README; returns how many there are."""
    text = README.read_text(encoding="utf-8")
    refreshed, count = README_EXAMPLE.subn(
        lambda match: match.group(1) + seeded_client.get(match["path"]).text, text
    )
    README.write_text(refreshed, encoding="utf-8")
    return count


def main() -> None:
    """Write app/api/examples.json from a freshly seeded SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        seeded = Settings(database_url=f"sqlite:///{Path(folder) / 'seeded.db'}")
        database = create_database(seeded)
        migrations.upgrade(database)
        load_seed(database)
        database.dispose()
        empty = Settings(database_url=f"sqlite:///{Path(folder) / 'empty.db'}")
        with TestClient(create_app(seeded)) as seeded_client, TestClient(create_app(empty)) as empty_client:
            recorded = answers(seeded_client, empty_client)
            refreshed = refresh_readme(seeded_client)
    EXAMPLES_FILE.write_text(json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(recorded)} examples to {EXAMPLES_FILE} and refreshed {refreshed} in {README}")


if __name__ == "__main__":
    main()
