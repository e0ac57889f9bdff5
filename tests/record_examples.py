"""Records real answers of the seeded data: `python -m tests.record_examples`.

Writes the OpenAPI response examples (app/api/examples.json) and refreshes the output line under
each `$ curl -s 'http://127.0.0.1:8000…'` example in README.md and docs/*.md. tests/api/test_openapi.py
and tests/test_readme.py fail when either no longer matches what the API answers.
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
from tests.conftest import BASE_URL

# Example name -> the request whose answer it records.
EXAMPLE_REQUESTS = {
    "claims_page": "/v1/claims?entity=careem&limit=1",
    "claims_jsonld": "/v1/claims?entity=careem&limit=1&format=jsonld",
    "claim": "/v1/claims/pkit-039",
    "themes_page": "/v1/themes?limit=3",
    "theme": "/v1/themes/talent-workforce",
    "entities_page": "/v1/entities?type=company",
    "entity": "/v1/entities/Careem%20Networks",
    "documents_page": "/v1/documents?limit=3",
    "document": "/v1/documents/pakistan-it-sector",
    "versions_page": "/v1/documents/pakistan-it-sector/versions",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "search": "/v1/search?q=freelancers&type=entity,theme",
    "autocomplete": "/v1/autocomplete?q=car",
    "problem_type": "/problems/not-found",
    "problem_invalid": "/v1/claims?limit=0",
    "citation": "/v1/claims/pkit-039/cite",
    "problem_not_found": "/v1/claims/no-such-claim",
    "problem_unknown_filter": "/v1/claims?theme=talent-workforce,no-such-theme",
    "facets": "/v1/claims/facets?theme=talent-workforce",
    "related": "/v1/entities/careem/related",
    "matrix": "/v1/matrix?rows=theme&cols=kind",
    "notes_page": "/v1/claims/pkit-039/context",
    "note": "/v1/notes/1",
    "relations_page": "/v1/relations?claim=pkit-037",
    "relation": "/v1/relations/1",
}
UNMIGRATED_REQUESTS = {"problem_unavailable": "/readyz"}


def engine_neutral(path: str, body: Any) -> Any:
    """An answer with what legitimately differs between SQLite and PostgreSQL taken out.

    The engine's name, and relevance: each engine scores with its own ranking function (BM25 on
    SQLite, ts_rank_cd on PostgreSQL), so ranked answers compare as sets of hits without scores.
    Ranked examples are chosen to fit on one page.
    """
    if isinstance(body, dict) and "database" in body:
        body = {**body, "database": "<engine>"}
    ranked = path.startswith("/v1/search") or (re.search(r"[?&]q=", path) and "sort=position" not in path)
    if ranked and isinstance(body, dict) and isinstance(body.get("meta"), dict):
        assert body["meta"]["next_cursor"] is None, f"a ranked example must fit on one page: {path}"
        hits = [{key: value for key, value in hit.items() if key != "score"} for hit in body["data"]]
        body = {**body, "data": sorted(hits, key=lambda hit: (hit.get("type", ""), hit.get("id", "")))}
    return body


def answers(seeded_client: TestClient, empty_client: TestClient) -> dict[str, Any]:
    """Every example, as the API answers it now."""
    recorded = {name: seeded_client.get(path).json() for name, path in EXAMPLE_REQUESTS.items()}
    recorded |= {name: empty_client.get(path).json() for name, path in UNMIGRATED_REQUESTS.items()}
    return recorded


ROOT = Path(__file__).resolve().parents[1]
# The files whose curl examples are replayed by tests/test_readme.py and refreshed here.
EXAMPLE_FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
CURL_EXAMPLE = re.compile(r"^(\$ curl -s 'http://127\.0\.0\.1:8000(?P<path>[^']+)'\n).+$", re.MULTILINE)


def refresh_examples(seeded_client: TestClient) -> int:
    """Rewrite the answer under every curl example in the example files; returns how many there are."""
    total = 0
    for file in EXAMPLE_FILES:
        text = file.read_text(encoding="utf-8")
        refreshed, count = CURL_EXAMPLE.subn(
            lambda match: match.group(1) + seeded_client.get(match["path"]).text, text
        )
        if count:
            file.write_text(refreshed, encoding="utf-8")
        total += count
    return total


def main() -> None:
    """Write app/api/examples.json from a freshly seeded SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        seeded = Settings(database_url=f"sqlite:///{Path(folder) / 'seeded.db'}")
        database = create_database(seeded)
        migrations.upgrade(database)
        load_seed(database)
        database.dispose()
        empty = Settings(database_url=f"sqlite:///{Path(folder) / 'empty.db'}")
        # Absolute links in the answers (permalinks) name the address the docs' examples use.
        with (
            TestClient(create_app(seeded), base_url=BASE_URL) as seeded_client,
            TestClient(create_app(empty), base_url=BASE_URL) as empty_client,
        ):
            recorded = answers(seeded_client, empty_client)
            refreshed = refresh_examples(seeded_client)
    EXAMPLES_FILE.write_text(json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(recorded)} examples to {EXAMPLES_FILE} and {refreshed} curl answers in the docs")


if __name__ == "__main__":
    main()
