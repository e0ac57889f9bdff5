"""Contract fuzzing: schemathesis drives every documented operation and runs all its checks.

The app is served in-process (ASGI) on a fresh migrated, seeded database of this module's own, with a
write key, so writes are exercised too. The run is deterministic (derandomized) and bounded:
`SECTORFACTS_FUZZ_EXAMPLES` (default 15) examples per operation and generation mode. The stateful phase
(sequences of calls chained by the document's OpenAPI links) runs `SECTORFACTS_FUZZ_SCENARIOS` (default 25)
scenarios of up to `SECTORFACTS_FUZZ_STEPS` (default 6) calls, each from the same freshly seeded state.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from sqlalchemy import create_engine, make_url, text

from app.config import Settings
from app.db import Database
from app.main import create_app
from tests.curation import make_keys, seed_database
from tests.databases import POSTGRES_ENV, fresh_database_url

MAX_EXAMPLES = int(os.environ.get("SECTORFACTS_FUZZ_EXAMPLES", "15"))
SCENARIOS = int(os.environ.get("SECTORFACTS_FUZZ_SCENARIOS", "25"))
STEPS = int(os.environ.get("SECTORFACTS_FUZZ_STEPS", "6"))

# Every check runs on every answer, positive_data_acceptance included, except where the answer is one of
# the API's documented refusals of schema-valid input that no schema can rule out. Each is listed here with
# what identifies it (the problem type, or the parameter the problem names); any other refusal of
# schema-valid input fails the test.
BY_DESIGN_REFUSALS: dict[str, str] = {
    "unknown-filter-value": "an unknown theme, entity, document or kind: never an empty list hiding a typo",
    "invalid-cursor": "a cursor the API did not issue",
    "query.q": "a search query with nothing to search for (only operators or punctuation)",
    "query.cols": "rows and cols naming the same dimension (a rule across two parameters)",
    "too-many-values": "more than 50 values in one filter across its repeated parameters",
    "precondition-required": "a write without If-Match (RFC 6585 428: the header is optional in HTTP)",
    "precondition-failed": "a write whose If-Match names another revision (412)",
    "gone": "a resource deleted earlier in the scenario (410)",
    "body": "a body whose fields disagree with each other or with the database (a span and its quote)",
}


def _by_design(response: Response) -> str | None:
    """The documented refusal `response` is, or None."""
    if response.status_code < 400 or response.status_code >= 500:
        return None
    try:
        problem = response.json()
    except ValueError:
        return None
    kind = str(problem.get("type", "")).rsplit("/", 1)[-1]
    if kind in BY_DESIGN_REFUSALS:
        return BY_DESIGN_REFUSALS[kind]
    for error in problem.get("errors") or []:
        location = str(error.get("location", ""))
        if "more than" in str(error.get("message", "")) and location.startswith("query."):
            return BY_DESIGN_REFUSALS["too-many-values"]
        if location in BY_DESIGN_REFUSALS or location.split(".")[0] == "body":
            return BY_DESIGN_REFUSALS.get(location, BY_DESIGN_REFUSALS["body"])
    return None


# A claim list's CSV, NDJSON and JSON-LD are described under its 200's `x-other-formats`, not its `content`
# (app/api/formats.py), so schemathesis's media type and schema checks would call them undocumented;
# tests/api/test_exports.py checks them against that description instead.
OTHER_FORMATS = {"text/csv", "application/x-ndjson", "application/ld+json"}


def _query_parameters(case: Case[Any]) -> dict[str, dict[str, Any]]:
    """The operation's query parameters by name, references resolved."""
    document = case.operation.schema.raw_schema
    found = {}
    for parameter in case.operation.definition.raw.get("parameters", []):
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        if parameter["in"] == "query":
            found[parameter["name"]] = parameter
    return found


def _sent_query_is_valid(case: Case[Any], response: Response) -> bool:
    """Whether the query string as sent holds only repeatable string parameters whose values (as sent)
    the schema admits: a negative value schemathesis generated (an object, say) that serialised to a valid
    one (`kind=`) is no schema-violating request (schemathesis#3962, #4600)."""
    documented = _query_parameters(case)
    sent = parse_qs(urlsplit(str(response.request.url)).query, keep_blank_values=True)
    for name, values in sent.items():
        schema = documented.get(name, {}).get("schema", {})
        arrays = [shape for shape in [schema, *schema.get("anyOf", [])] if shape.get("type") == "array"]
        if not arrays or not jsonschema_rs.is_valid(arrays[0], values):
            return False
    return True


def _negated(case: Case[Any]) -> set[ParameterLocation]:
    """Where schemathesis generated schema-violating values for `case`."""
    components = case.meta.components if case.meta is not None else {}
    return {location for location, info in components.items() if info.mode.is_negative}


def _excluded_checks(response: Response, case: Case[Any]) -> list[Any]:
    excluded = []
    # Only the query string negated, accepted, and valid as sent: see _sent_query_is_valid.
    query_only = _negated(case) == {ParameterLocation.QUERY}
    if query_only and response.status_code < 300 and _sent_query_is_valid(case, response):
        excluded.append(schemathesis.checks.negative_data_rejection)
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if response.status_code == 200 and media_type in OTHER_FORMATS:
        excluded += [
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_schema_conformance,
        ]
    if _by_design(response) is not None:
        excluded.append(schemathesis.checks.positive_data_acceptance)
    # A 304 answers only a request the route validated and answered 200 (the middleware turns no other
    # status into one): an invalid value schemathesis generated went out as a valid query string (an
    # empty `theme=`, say), so the request it calls invalid was not. An invalid query still answers 422
    # whatever If-None-Match says (tests/api/test_http_caching.py).
    if response.status_code == 304:
        excluded.append(schemathesis.checks.negative_data_rejection)
    # A 413 (body over SECTORFACTS_MAX_BODY_BYTES) is a rejection too, though not in that check's list.
    if response.status_code == 413:
        excluded += [
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ]
    return excluded


# Their only input is an optional If-None-Match string: nothing can be generated that violates the schema.
ONLY_VALID_INPUTS = {
    "GET /healthz",
    "GET /metrics",
    "GET /readyz",
    "GET /v1/context.jsonld",
    "GET /v1/schema/annotations",
    "GET /v1/snapshots/latest",
}


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
            # A change stream is endless; schemathesis reads whole answers, so streams end at once here.
            app = create_app(Settings(database_url=url, stream_max_s=0.05))
            schema = schemathesis.openapi.from_asgi("/openapi.json", app)
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
    # The documented paths without a parameter: `/v1/claims/facets` is one, beside `/v1/claims/{claim_id}`.
    literal_paths = {path for path in fuzzed.schema.raw_schema["paths"] if "{" not in path}

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case[Any]) -> None:
        if case.operation.path != case.formatted_path and case.formatted_path in literal_paths:
            # A path parameter generated as a word the schema rules out (`not`: a claim id `facets`) made
            # the path of another operation (`GET /v1/claims/facets`), which answers by its own contract.
            return
        response = case.call(headers=dict(fuzzed.headers))
        excluded = _excluded_checks(response, case)
        case.validate_response(response, excluded_checks=excluded, headers=dict(fuzzed.headers))

    run()


@dataclass
class Pristine:
    """The app's database and a seeded copy of it; `reset` puts the seeded state back."""

    live_url: str
    pristine_url: str
    database: Database

    def reset(self) -> None:
        """Replace the app's database with the seeded one (its pooled connections are closed first)."""
        self.database.dispose()
        server_url = os.environ.get(POSTGRES_ENV)
        if server_url is None:
            live = Path(make_url(self.live_url).database or "")
            for suffix in ("", "-wal", "-shm"):
                live.with_name(live.name + suffix).unlink(missing_ok=True)
            shutil.copyfile(make_url(self.pristine_url).database or "", live)
            return
        live_name, pristine_name = make_url(self.live_url).database, make_url(self.pristine_url).database
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{live_name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{live_name}" TEMPLATE "{pristine_name}"'))
        finally:
            admin.dispose()


@dataclass
class Stateful:
    """The OpenAPI schema of an app whose database can be reset to its seeded state, and a write key."""

    schema: BaseSchema
    headers: dict[str, str]
    pristine: Pristine


@pytest.fixture(scope="module")
def stateful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stateful]:
    """An app on a database of its own that each scenario starts again from, seeded, with a write key."""
    folder = tmp_path_factory.mktemp("stateful")
    with fresh_database_url(folder) as pristine_url, fresh_database_url(folder) as live_url:
        seeded = seed_database(pristine_url)
        try:
            headers = {"Authorization": f"Bearer {make_keys(seeded)['write']}"}
        finally:
            seeded.dispose()  # a template database must have no connections; the SQLite file is complete
        app = create_app(Settings(database_url=live_url, stream_max_s=0.05))  # streams end at once
        pristine = Pristine(live_url=live_url, pristine_url=pristine_url, database=app.state.database)
        try:
            pristine.reset()
            schema = schemathesis.openapi.from_asgi("/openapi.json", app)
            yield Stateful(schema=schema, headers=headers, pristine=pristine)
        finally:
            pristine.database.dispose()


def test_sequences_of_calls_honour_the_contract(stateful: Stateful) -> None:
    """Schemathesis's stateful phase: scenarios chained by the OpenAPI links, all checks on every answer."""
    calls: Counter[tuple[str, int]] = Counter()
    followed: Counter[str] = Counter()

    class Scenarios(stateful.schema.as_state_machine()):  # type: ignore[misc]
        # Every scenario starts from the seeded database: the same calls then get the same answers, as
        # Hypothesis needs to replay and shrink a failure (a theme created by an earlier scenario would
        # make the same POST answer 409 instead of 201).
        def setup(self) -> None:
            stateful.pristine.reset()

        def step(self, input: StepInput) -> StepOutput:
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
            output: StepOutput = super().step(input)
            return output

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"headers": dict(stateful.headers)}

        def after_call(self, response: Response, case: Case[Any]) -> None:
            super().after_call(response, case)
            calls[(f"{case.method} {case.path}", response.status_code)] += 1

        def validate_response(
            self, response: Response, case: Case[Any], additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=_excluded_checks(response, case),
                headers=dict(stateful.headers),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Scenarios.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
    )
    print(
        f"{calls.total()} calls:",
        ", ".join(f"{call} {status}: {n}" for (call, status), n in sorted(calls.items())),
    )
    print(
        f"{followed.total()} steps followed a link:",
        ", ".join(f"{n} {link}" for link, n in sorted(followed.items())),
    )
    assert followed.total() > 0, "no scenario went beyond its first call"
