"""The OpenAPI contract is committed (docs/openapi.json): any change to it must be made on purpose."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from app.api.middleware.common import OPERATIONAL_PATHS
from app.api.problems import PROBLEM_TYPES
from tests.api.openapi_document import example_value, parameters, references, resolved
from tests.record_openapi import CONTRACT, EXAMPLES_PREFIX, UPDATE_COMMAND, contract, generated, render

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return generated()


def _differences(committed: Any, now: Any, where: str = "") -> list[str]:
    if isinstance(committed, dict) and isinstance(now, dict):
        found: list[str] = []
        for key in sorted(set(committed) | set(now), key=str):
            if key not in now:
                found.append(f"removed {where}/{key}")
            elif key not in committed:
                found.append(f"added {where}/{key}")
            else:
                found += _differences(committed[key], now[key], f"{where}/{key}")
        return found
    return [] if committed == now else [f"changed {where}"]


def test_the_generated_contract_is_the_committed_one(spec: dict[str, Any]) -> None:
    assert CONTRACT.exists(), f"docs/openapi.json is missing: run `{UPDATE_COMMAND}`"
    committed = json.loads(CONTRACT.read_text(encoding="utf-8"))
    differences = _differences(committed, contract(spec))
    assert not differences, (
        "The API contract changed. If that is on purpose, run "
        f"`{UPDATE_COMMAND}` and commit docs/openapi.json:\n  " + "\n  ".join(differences[:40])
    )


def test_the_committed_contract_is_in_its_canonical_form(spec: dict[str, Any]) -> None:
    committed = CONTRACT.read_text(encoding="utf-8")
    expected = contract(spec)
    if json.loads(committed) == expected:
        assert committed == render(expected), f"docs/openapi.json was edited by hand: run `{UPDATE_COMMAND}`"


def test_the_contract_leaves_out_the_recorded_examples_and_nothing_else(spec: dict[str, Any]) -> None:
    committed = contract(spec)
    assert "examples" not in committed["components"]
    assert not [reference for reference in references(committed) if reference.startswith(EXAMPLES_PREFIX)]
    # The live document keeps them: a claim's 200 shows the recorded claim.
    claim = spec["paths"]["/v1/claims/{claim_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert claim["examples"] == {"claim": {"$ref": f"{EXAMPLES_PREFIX}claim"}}
    assert set(spec["components"]["examples"]) >= {"claim", "claims_page", "problem_not_found"}
    # Examples written beside their routes (request bodies, problems) are part of the contract.
    create = committed["paths"]["/v1/claims"]["post"]["requestBody"]["content"]["application/json"]
    assert create["examples"]
    assert committed["components"]["responses"]["Conflict"]["content"]["application/problem+json"]["example"]
    # Nothing else is left out: the same paths, operations and schemas.
    assert set(committed["components"]) == set(spec["components"]) - {"examples"}
    assert committed["components"]["schemas"] == spec["components"]["schemas"]
    assert [(method, path) for method, path, _ in _operations(committed)] == [
        (method, path) for method, path, _ in _operations(spec)
    ]


def test_the_contract_stays_small_enough_to_review(spec: dict[str, Any]) -> None:
    # What many operations repeat is declared once under components/; a document that grows past this is
    # repeating itself again (or has grown so much that its diffs are no longer read). The cap follows the
    # API's size (61 operations, 189 kB, of which descriptions are about 46 kB; the recorded examples, 45 kB
    # more, are in app/api/examples.json): documents a route serves are shown by URL, not copied, and
    # titles that only repeat a field's name are left out. Raise it only after looking at what grew: a page
    # response, parameter or link written out again belongs in components.
    assert len(render(contract(spec)).encode()) < 200_000


def test_every_reference_names_a_component(spec: dict[str, Any]) -> None:
    # Example values may hold `$ref`s of their own (the annotation JSON Schema's `#/$defs/...`).
    dangling = []
    for reference in sorted(references(spec)):
        if reference.startswith("#/components/"):
            try:
                resolved(spec, {"$ref": reference})
            except KeyError:
                dangling.append(reference)
    assert dangling == []


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_no_answer_is_repeated_inline(spec: dict[str, Any]) -> None:
    # An answer several operations give is declared once, under components/responses (see `shared`).
    inline = Counter(
        json.dumps(answer, sort_keys=True)
        for _, _, operation in _operations(spec)
        for status, answer in operation["responses"].items()
        if not status.startswith("2") and "$ref" not in answer
    )
    assert [answer[:120] for answer, count in inline.items() if count > 1] == []
    declared = spec["components"]["responses"]
    assert {"NotModified", "PayloadTooLarge", "InternalError", "Unavailable"} <= set(declared)


@pytest.fixture(scope="module")
def rate_limited_spec() -> dict[str, Any]:
    return generated(rate_limit="120/minute")


def _missing_statuses(spec: dict[str, Any], *, rate_limited: bool) -> list[str]:
    missing = []
    for method, path, operation in _operations(spec):
        expected = {"500"}
        expected |= {"304"} if method == "get" else {"413"}
        expected |= {"429"} if rate_limited and path not in OPERATIONAL_PATHS else set()
        if absent := expected - set(operation["responses"]):
            missing.append(f"{method.upper()} {path}: {sorted(absent)}")
    return missing


def test_every_operation_documents_the_statuses_the_middleware_can_answer(
    spec: dict[str, Any], rate_limited_spec: dict[str, Any]
) -> None:
    assert _missing_statuses(spec, rate_limited=False) == []
    assert _missing_statuses(rate_limited_spec, rate_limited=True) == []


def test_429_and_the_rate_limit_headers_are_documented_only_by_a_server_that_limits_rates(
    spec: dict[str, Any], rate_limited_spec: dict[str, Any]
) -> None:
    def rate_limit_mentions(document: dict[str, Any]) -> int:
        text = json.dumps(document)
        return text.count('"429"') + text.count("RateLimit")

    assert rate_limit_mentions(spec) == 0
    claims = rate_limited_spec["paths"]["/v1/claims"]["get"]
    assert "Retry-After" in resolved(rate_limited_spec, claims["responses"]["429"])["headers"]
    page = resolved(rate_limited_spec, claims["responses"]["200"])
    assert {"RateLimit", "RateLimit-Policy"} <= set(page["headers"])
    assert "429" not in rate_limited_spec["paths"]["/healthz"]["get"]["responses"]
    assert rate_limit_mentions(rate_limited_spec) > 2 * len(_operations(rate_limited_spec))


def test_every_error_status_is_a_documented_problem_type(rate_limited_spec: dict[str, Any]) -> None:
    documented_types = {status for status, _, _ in PROBLEM_TYPES.values()}
    checked: Counter[str] = Counter()
    for _, _, operation in _operations(rate_limited_spec):
        for status, answer in operation["responses"].items():
            if status in {"413", "429", "500"}:
                assert int(status) in documented_types
                media = resolved(rate_limited_spec, answer)["content"][PROBLEM_JSON]
                problem = example_value(rate_limited_spec, media)
                assert problem["type"].removeprefix("/problems/") in PROBLEM_TYPES
                checked[status] += 1
    assert set(checked) == {"413", "429", "500"}


def test_headers_are_documented(spec: dict[str, Any]) -> None:
    claims = spec["paths"]["/v1/claims"]["get"]
    page = resolved(spec, claims["responses"]["200"])
    assert {"ETag", "Cache-Control", "Link", "X-Request-ID"} <= set(page["headers"])
    assert "Link" not in spec["paths"]["/healthz"]["get"]["responses"]["200"]["headers"]
    assert "Retry-After" in resolved(spec, claims["responses"]["503"])["headers"]
    assert any(parameter["name"] == "If-None-Match" for parameter in parameters(spec, claims))
    for reference in page["headers"].values():
        name = reference["$ref"].rsplit("/", 1)[-1]
        assert name in spec["components"]["headers"]
