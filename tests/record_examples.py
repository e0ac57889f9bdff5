"""Records the OpenAPI response examples from the seeded data: `python -m tests.record_examples`.

tests/api/test_openapi.py fails when app/api/examples.json no longer matches what the API answers.
"""

from __future__ import annotations

import json
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
    "problem_not_found": "/v1/claims/no-such-claim",
    "problem_unknown_filter": "/v1/claims?theme=talent-workforce,no-such-theme",
}
UNMIGRATED_REQUESTS = {"problem_unavailable": "/readyz"}


def answers(seeded_client: TestClient, empty_client: TestClient) -> dict[str, Any]:
    """Every example, as the API answers it now."""
    recorded = {name: seeded_client.get(path).json() for name, path in EXAMPLE_REQUESTS.items()}
    recorded |= {name: empty_client.get(path).json() for name, path in UNMIGRATED_REQUESTS.items()}
    return recorded


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
    EXAMPLES_FILE.write_text(json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(recorded)} examples to {EXAMPLES_FILE}")


if __name__ == "__main__":
    main()
