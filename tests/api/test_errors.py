"""Every error is an RFC 9457 problem: 404, 405, 422, 500 and 503, and hostile input never answers 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from app.config import Settings
from app.main import create_app
from tests.api.conftest import DOCUMENT_ID
from tests.api.support import PROBLEM_JSON, assert_client_error, assert_problem, get_json

# --- 404, 405 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/v1/nothing", "/nothing", "/v1/claims/pkit-001/extra", "/v2/claims", "/v1/themes/outlook/entities"],
)
def test_unknown_route_answers_404_problem(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # POST, PATCH and DELETE on claims, themes and entities exist (tests/api/test_auth.py).
        ("PUT", "/v1/claims/pkit-001"),
        ("POST", "/v1/claims/pkit-001"),
        ("PUT", "/v1/themes/outlook"),
        ("POST", "/v1/entities/careem"),
        ("DELETE", f"/v1/documents/{DOCUMENT_ID}"),
        ("POST", "/v1/claims/pkit-001/cite"),
    ],
)
def test_wrong_method_answers_405_problem_with_allow(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


# --- 422 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/claims", {"limit": "0"}),
        ("/v1/claims", {"limit": "many"}),
        ("/v1/entities", {"limit": "101"}),
        ("/v1/themes/outlook/claims", {"limit": "-1"}),
        (f"/v1/documents/{DOCUMENT_ID}/claims", {"limit": str(2**64)}),
        ("/v1/entities", {"q": "x" * 201}),
    ],
)
def test_bad_parameter_answers_422_problem_listing_it(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    body = assert_problem(client.get(path, params=params), 422, "invalid-request")
    (name,) = params
    assert name in body["detail"]
    assert body["errors"]
    assert any(name in error["location"] for error in body["errors"])


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/v1/claims", {"theme": "no-such-theme"}, "no-such-theme"),
        ("/v1/claims", {"entity": "Jazz"}, "Jazz"),
        ("/v1/claims", {"document": "no-such-document"}, "no-such-document"),
        ("/v1/claims", {"kind": "rumour"}, "rumour"),
        ("/v1/entities", {"type": "planet"}, "planet"),
        ("/v1/themes/outlook/claims", {"entity": "Jazz"}, "Jazz"),
        ("/v1/entities/careem/claims", {"document": "other"}, "other"),
    ],
)
def test_unknown_filter_value_answers_422_naming_it_never_an_empty_list(
    client: TestClient, path: str, params: dict[str, str], unknown: str
) -> None:
    body = assert_problem(client.get(path, params=params), 422, "unknown-filter-value")
    assert unknown in body["detail"]
    assert "data" not in body


# --- hostile input --------------------------------------------------------------------------------------

# Raw, already percent-encoded values: NUL and other control characters, UTF-8 encodings of lone
# surrogates (which a client can send though no UTF-8 text can hold them), an overlong NUL, stray bytes
# and a 10 kB string.
HOSTILE = {
    "nul": "%00",
    "embedded-nul": "careem%00",
    "control": "%01",
    "unit-separator": "%1F",
    "newline": "pakistan%0A",
    "escape": "%1B%5B31m",
    "delete": "%7F",
    "high-surrogate": "%ED%A0%80",
    "low-surrogate": "%ED%B0%80",
    "surrogate-pair-as-cesu": "%ED%A0%BD%ED%B8%80",
    "overlong-nul": "%C0%80",
    "stray-byte": "%FF",
    "bidi-override": "%E2%80%AE",
    "long": "a" * 10_000,
    "long-multibyte": "%E2%80%99" * 4_000,
}
FILTER_PATHS = [
    "/v1/claims",
    "/v1/themes/outlook/claims",
    "/v1/entities/careem/claims",
    f"/v1/documents/{DOCUMENT_ID}/claims",
]
PATH_TEMPLATES = [
    "/v1/claims/{}",
    "/v1/themes/{}",
    "/v1/themes/{}/claims",
    "/v1/entities/{}",
    "/v1/entities/{}/claims",
    "/v1/documents/{}",
    "/v1/documents/{}/claims",
    "/problems/{}",
]


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("name", ["theme", "entity", "document", "kind"])
@pytest.mark.parametrize("path", FILTER_PATHS)
def test_hostile_filter_value_answers_4xx_problem(
    client: TestClient, path: str, name: str, value: str
) -> None:
    assert_client_error(client.get(f"{path}?{name}={value}"))


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("name", ["q", "type", "cursor"])
def test_hostile_entities_query_answers_4xx_problem_or_nothing(
    client: TestClient, name: str, value: str
) -> None:
    response = client.get(f"/v1/entities?{name}={value}")
    if response.status_code == 200:
        # A prefix no name starts with is a valid search with no result; anything else must be refused.
        assert name == "q"
        assert response.json()["data"] == []
    else:
        assert_client_error(response)


REFUSED = ["nul", "embedded-nul", "control", "unit-separator", "newline", "escape", "long", "long-multibyte"]


@pytest.mark.parametrize("value", [HOSTILE[name] for name in REFUSED], ids=REFUSED)
@pytest.mark.parametrize(
    "path_and_name",
    [("/v1/entities", "q"), ("/v1/entities", "type"), ("/v1/claims", "theme"), ("/v1/claims", "entity")],
    ids=["q", "type", "theme", "entity"],
)
def test_control_characters_and_overlong_text_are_refused_as_invalid(
    client: TestClient, path_and_name: tuple[str, str], value: str
) -> None:
    path, name = path_and_name
    assert_problem(client.get(f"{path}?{name}={value}"), 422, "invalid-request")


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("path", ["/v1/claims", "/v1/themes", "/v1/documents"])
def test_hostile_cursor_answers_4xx_problem(client: TestClient, path: str, value: str) -> None:
    assert_client_error(client.get(f"{path}?cursor={value}"))


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("template", PATH_TEMPLATES)
def test_hostile_path_key_answers_4xx_problem(client: TestClient, template: str, value: str) -> None:
    assert_client_error(client.get(template.format(value)))


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_limit_answers_422_problem(client: TestClient, value: str) -> None:
    assert_problem(client.get(f"/v1/claims?limit={value}"), 422, "invalid-request")


# --- 500 ------------------------------------------------------------------------------------------------


def _app_with_a_failing_route(database_url: str) -> FastAPI:
    app = create_app(Settings(database_url=database_url))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    return app


def test_unexpected_error_answers_500_problem_without_internals(fresh_url: str) -> None:
    with TestClient(_app_with_a_failing_route(fresh_url), raise_server_exceptions=False) as failing:
        response = failing.get("/boom")
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in body["detail"]


# --- 503 ------------------------------------------------------------------------------------------------

DATABASE_PATHS = ["/readyz", "/v1/claims", "/v1/claims/pkit-001", "/v1/themes", "/v1/entities/careem"]


def _assert_unavailable(app_client: TestClient) -> None:
    for path in DATABASE_PATHS:
        response = app_client.get(path)
        assert_problem(response, 503, "service-unavailable")
        assert response.headers["retry-after"].isdigit()
    assert get_json(app_client, "/healthz") == {"status": "ok"}


@pytest.fixture
def blocked_folder(tmp_path: Path) -> Path:
    """A folder path under a regular file: no directory can ever be created there."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    return blocker / "data"


def test_sqlite_path_that_cannot_be_created_answers_503_problem(blocked_folder: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{blocked_folder / 'sectorfacts.db'}"))
    with TestClient(app, raise_server_exceptions=False) as unreachable:
        _assert_unavailable(unreachable)


def test_sqlite_database_that_becomes_unreachable_answers_503_problem(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'sectorfacts.db'}"))
    folder.rmdir()
    folder.write_text("the folder is gone\n", encoding="utf-8")
    with TestClient(app, raise_server_exceptions=False) as unreachable:
        _assert_unavailable(unreachable)


def test_postgresql_on_a_closed_port_answers_503_problem() -> None:
    pytest.importorskip("psycopg")
    app = create_app(
        Settings(database_url="postgresql+psycopg://nobody:nothing@127.0.0.1:1/sectorfacts", pool_size=1)
    )
    with TestClient(app, raise_server_exceptions=False) as unreachable:
        _assert_unavailable(unreachable)


def test_unmigrated_database_answers_503_problem_on_every_read(fresh_url: str) -> None:
    with TestClient(create_app(Settings(database_url=fresh_url)), raise_server_exceptions=False) as empty:
        _assert_unavailable(empty)


# --- /problems/{name} -----------------------------------------------------------------------------------


def _problems_met(client: TestClient, fresh_url: str) -> list[Response]:
    """One answer of each problem type the API uses."""
    answers = [
        client.get("/v1/claims/no-such-claim"),
        client.get("/v1/claims", params={"limit": "0"}),
        client.get("/v1/claims", params={"theme": "no-such-theme"}),
        client.get("/v1/claims", params={"cursor": "garbage"}),
    ]
    with TestClient(_app_with_a_failing_route(fresh_url), raise_server_exceptions=False) as other:
        answers += [other.get("/readyz"), other.get("/boom")]
    return answers


def test_every_problem_type_used_is_documented(client: TestClient, fresh_url: str) -> None:
    seen: set[str] = set()
    for response in _problems_met(client, fresh_url):
        problem = response.json()
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        seen.add(problem["type"])
        documented = get_json(client, problem["type"])
        assert documented["type"] == problem["type"]
        assert documented["title"] == problem["title"]
        assert documented["status"] == problem["status"] == response.status_code
        assert documented["description"]
    assert seen == {
        "/problems/not-found",
        "/problems/invalid-request",
        "/problems/unknown-filter-value",
        "/problems/invalid-cursor",
        "/problems/service-unavailable",
        "/problems/internal-error",
    }


def test_unknown_problem_name_answers_4xx_problem(client: TestClient) -> None:
    assert_client_error(client.get("/problems/no-such-problem"))
