"""Contract fuzzing: schemathesis drives every documented operation and runs all its checks.

The app is served in-process (ASGI) on a fresh migrated, seeded database of this module's own, with a
write key, so writes are exercised too. The run is deterministic (derandomized) and bounded:
`SECTORFACTS_FUZZ_EXAMPLES` (default 15) examples per operation and generation mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, GenerationMode

from app.config import Settings
from app.main import create_app
from tests.curation import make_keys, seed_database
from tests.databases import fresh_database_url

MAX_EXAMPLES = int(os.environ.get("SECTORFACTS_FUZZ_EXAMPLES", "15"))

# positive_data_acceptance expects every schema-valid request to succeed, but the API deliberately answers
# 422 for values a schema cannot rule out: an unknown theme/entity/kind/document ("never an empty list that
# hides a typo"), a cursor it did not issue, control characters or lone surrogates in text. Those answers are
# still checked (status documented, problem+json conforming to its schema) by every other check.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


# Their only input is an optional If-None-Match string: nothing can be generated that violates the schema.
ONLY_VALID_INPUTS = {"GET /healthz", "GET /metrics", "GET /readyz", "GET /v1/schema/annotations"}


def _cases() -> list[tuple[str, GenerationMode]]:
    # Building the app connects to nothing: the documented operations, known at collection time. Operations
    # with no parameter and no body have nothing to make invalid: they are fuzzed in positive mode only.
    app = create_app(Settings(database_url="sqlite:///never-opened.db"))
    schema = schemathesis.openapi.from_dict(app.openapi())
    found: list[tuple[str, GenerationMode]] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema raises here
        found.append((operation.label, GenerationMode.POSITIVE))
        if operation.label not in ONLY_VALID_INPUTS:
            found.append((operation.label, GenerationMode.NEGATIVE))
    return sorted(found, key=lambda item: (item[0], item[1].value))


@dataclass
class Fuzzed:
    schema: BaseSchema
    headers: dict[str, str]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """The app's OpenAPI, served by an app on a newly seeded database, and a write key's header."""
    with fresh_database_url(tmp_path_factory.mktemp("fuzz")) as url:
        database = seed_database(url)
        try:
            headers = {"Authorization": f"Bearer {make_keys(database)['write']}"}
            schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(database_url=url)))
            yield Fuzzed(schema=schema, headers=headers)
        finally:
            database.dispose()


@pytest.mark.parametrize(
    ("label", "mode"), [pytest.param(*item, id=f"{item[0]}-{item[1].value}") for item in _cases()]
)
def test_every_operation_honours_its_contract(fuzzed: Fuzzed, label: str, mode: GenerationMode) -> None:
    operation = fuzzed.schema.find_operation_by_label(label)
    assert operation is not None, label
    strategy: st.SearchStrategy[Case[Any]] = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case[Any]) -> None:
        response = case.call(headers=dict(fuzzed.headers))
        # A 413 (body over SECTORFACTS_MAX_BODY_BYTES) is a rejection too, though not in that check's list.
        excluded = (
            [*EXCLUDED, schemathesis.checks.negative_data_rejection]
            if response.status_code == 413
            else EXCLUDED
        )
        case.validate_response(response, excluded_checks=excluded, headers=dict(fuzzed.headers))

    run()
