"""HTTP caching: strong ETags, 304 on If-None-Match, Cache-Control, gzip, and Link on paged lists."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import anyio
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import MutableHeaders

from app.api.middleware.http import _add_vary
from app.api.middleware.paging import next_link
from app.config import Settings
from app.main import create_app
from tests.api.support import assert_problem, ok_json

STRONG_ETAG = re.compile(r'^"[^"]+"$')
BODY_HASH = re.compile(r'^"[0-9a-f]{32}"$')
IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
GET_PATHS = [
    "/v1/claims?limit=3",
    "/v1/claims/pkit-001",
    "/v1/claims/facets",
    "/v1/themes",
    "/v1/documents/pakistan-it-sector",
    "/v1/autocomplete?q=car",
    "/healthz",
    "/openapi.json",
    "/",
    "/docs",
]


@pytest.fixture(scope="module")
def custom_app(seeded_url: str) -> Iterator[TestClient]:
    """An app with routes that set their own ETag and stream their body."""
    app = create_app(Settings(database_url=seeded_url))

    @app.get("/own-etag")
    def own_etag() -> Response:
        return Response("versioned", headers={"ETag": '"v7"'})

    @app.get("/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"x" * 2000, b"y" * 2000]), media_type="text/plain")

    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_get_answer_has_a_strong_etag(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert STRONG_ETAG.match(response.headers["etag"]), response.headers["etag"]


@pytest.mark.parametrize("path", GET_PATHS)
def test_if_none_match_with_the_etag_answers_304_without_a_body(client: TestClient, path: str) -> None:
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert "content-type" not in again.headers
    assert again.headers["x-request-id"]


def test_etag_is_stable_and_follows_the_representation(client: TestClient) -> None:
    one = client.get("/v1/claims?limit=50", headers=IDENTITY)
    assert BODY_HASH.match(one.headers["etag"])
    assert client.get("/v1/claims?limit=50", headers=IDENTITY).headers["etag"] == one.headers["etag"]
    assert client.get("/v1/claims?limit=49", headers=IDENTITY).headers["etag"] != one.headers["etag"]
    zipped = client.get("/v1/claims?limit=50", headers=GZIP)
    assert zipped.headers["content-encoding"] == "gzip"
    # Another content coding is another representation: a strong ETag must differ.
    assert zipped.headers["etag"] != one.headers["etag"]
    assert client.get("/v1/claims?limit=50", headers=GZIP).headers["etag"] == zipped.headers["etag"]


@pytest.mark.parametrize(
    "if_none_match",
    ["W/{etag}", '"nope", {etag}', '{etag} , "other"', "*"],
)
def test_if_none_match_lists_weak_forms_and_star(client: TestClient, if_none_match: str) -> None:
    etag = client.get("/v1/themes").headers["etag"]
    response = client.get("/v1/themes", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304


@pytest.mark.parametrize("if_none_match", ['"0123"', "garbage", 'W/"', ",,,", '"' * 300])
def test_if_none_match_that_does_not_match_answers_200(client: TestClient, if_none_match: str) -> None:
    response = client.get("/v1/themes", headers={"If-None-Match": if_none_match})
    assert response.status_code == 200
    assert response.json()["data"]


@pytest.mark.parametrize(
    "path", ["/v1/claims?limit=0", "/v1/claims/facets?theme=a%01b", "/v1/claims/facets?size=-1"]
)
def test_an_invalid_query_answers_422_whatever_if_none_match_says(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"If-None-Match": "*"})
    assert response.status_code == 422, response.text
    assert response.headers["cache-control"] == "no-store"


def test_errors_are_not_cached_and_carry_no_etag(client: TestClient) -> None:
    response = client.get("/v1/claims/no-such-claim", headers={"If-None-Match": "*"})
    assert_problem(response, 404, "not-found")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_cache_control_defaults_to_revalidate_and_operational_paths_are_never_stored(
    client: TestClient,
) -> None:
    assert client.get("/v1/claims").headers["cache-control"] == "no-cache"
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_cache_control_comes_from_the_settings(seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, cache_control="public, max-age=300")
    with TestClient(create_app(settings)) as configured:
        response = configured.get("/v1/themes")
        assert response.headers["cache-control"] == "public, max-age=300"
        again = configured.get("/v1/themes", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "public, max-age=300"


def test_a_route_that_sets_its_own_etag_keeps_it(custom_app: TestClient) -> None:
    response = custom_app.get("/own-etag")
    assert response.headers["etag"] == '"v7"'
    assert custom_app.get("/own-etag", headers={"If-None-Match": '"v7"'}).status_code == 304
    assert custom_app.get("/own-etag", headers={"If-None-Match": '"v6"'}).status_code == 200


def test_static_files_keep_their_own_etag(client: TestClient) -> None:
    plain = client.get("/static/swagger-ui.css", headers=IDENTITY)
    zipped = client.get("/static/swagger-ui.css", headers=GZIP)
    assert plain.status_code == zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert STRONG_ETAG.match(plain.headers["etag"])
    for headers in (IDENTITY, GZIP):
        again = client.get(
            "/static/swagger-ui.css", headers={**headers, "If-None-Match": plain.headers["etag"]}
        )
        assert again.status_code == 304


@pytest.mark.parametrize(
    "raw",
    [
        [(b"content-type", b"application/json"), (b"vary", b"Accept")],
        [(b"vary", b"Accept"), (b"etag", b'"x"'), (b"vary", b"Origin"), (b"vary", b"Cookie")],
        [(b"vary", b"")],
        [(b"vary", b"\xe9tat")],
    ],
)
def test_accept_encoding_joins_a_vary_as_starlettes_add_vary_header_does(
    raw: list[tuple[bytes, bytes]],
) -> None:
    by_starlette = list(raw)
    MutableHeaders(raw=by_starlette).add_vary_header("Accept-Encoding")
    by_middleware = list(raw)
    _add_vary(by_middleware)
    assert by_middleware == by_starlette


def test_bodies_over_1_kb_are_gzipped_and_small_ones_are_not(client: TestClient) -> None:
    big = client.get("/v1/claims?limit=20", headers=GZIP)
    assert big.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in big.headers["vary"]
    assert big.json()["data"]
    small = client.get("/healthz", headers=GZIP)
    assert "content-encoding" not in small.headers
    assert "content-encoding" not in client.get("/v1/claims?limit=20", headers=IDENTITY).headers


def test_gzip_threshold_comes_from_the_settings(seeded_url: str) -> None:
    with TestClient(create_app(Settings(database_url=seeded_url, gzip_min_bytes=10))) as configured:
        assert configured.get("/healthz", headers=GZIP).headers["content-encoding"] == "gzip"


def test_paged_lists_link_the_next_page_with_the_cursor_replaced(client: TestClient) -> None:
    first = client.get("/v1/claims", params=[("theme", "talent-workforce"), ("kind", "fact"), ("limit", "2")])
    page = ok_json(first)
    link = first.headers["link"]
    match = re.fullmatch(r'<(?P<url>[^>]+)>; rel="next"', link)
    assert match, link
    url = match["url"]
    assert url.startswith("http://127.0.0.1:8000/v1/claims?")
    assert "theme=talent-workforce" in url
    assert "kind=fact" in url
    assert "limit=2" in url
    assert url.endswith(f"cursor={page['meta']['next_cursor']}")
    second = client.get(url)
    assert ok_json(second)["data"] != page["data"]
    assert second.headers["link"].count("cursor=") == 1  # replaced, not appended


def test_the_last_page_has_no_link(client: TestClient) -> None:
    response = client.get("/v1/themes?limit=100")
    assert ok_json(response)["meta"]["next_cursor"] is None
    assert "link" not in response.headers


@pytest.mark.parametrize("path", ["/v1/search?q=pakistan&limit=1", "/v1/entities/pakistan/claims?limit=1"])
def test_every_paged_json_answer_links_its_next_page(client: TestClient, path: str) -> None:
    assert 'rel="next"' in client.get(path).headers["link"]


def _claims_scope(scheme: str, host: str, query: bytes, server: tuple[str, int]) -> dict[str, Any]:
    """An ASGI scope of GET /v1/claims with this Host header and query string."""
    return {
        "type": "http",
        "scheme": scheme,
        "path": "/v1/claims",
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", host.encode())],
        "server": server,
    }


@pytest.mark.parametrize(
    ("host", "link"),
    [
        ("api.example:8443", '<http://api.example:8443/v1/claims?limit=1&cursor=abc>; rel="next"'),
        ("[::1]:8000", '<http://[::1]:8000/v1/claims?limit=1&cursor=abc>; rel="next"'),
        ("evil>.example, <x", '<http://testserver/v1/claims?limit=1&cursor=abc>; rel="next"'),
    ],
)
def test_link_never_carries_a_strange_host(host: str, link: str) -> None:
    scope = _claims_scope("http", host, b"limit=1&cursor=old", ("testserver", 80))
    assert next_link(scope, "abc") == link


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Every cursor goes, however its name is written; the other parameters stay as they were written.
        (b"theme=a,b&cursor=old&limit=1&curs%6Fr=older", "theme=a,b&limit=1&cursor=abc%3D"),
        # Raw bytes beyond ASCII (a client that did not encode them) are escaped once, byte by byte.
        ("q=pakistán fintech&limit=2".encode(), "q=pakist%C3%A1n%20fintech&limit=2&cursor=abc%3D"),
    ],
)
def test_link_replaces_the_cursor_and_keeps_the_rest_of_the_query(query: bytes, expected: str) -> None:
    scope = _claims_scope("https", "api.example", query, ("10.0.0.1", 8000))
    assert next_link(scope, "abc=") == f'<https://api.example/v1/claims?{expected}>; rel="next"'


_PARAMETER_NAMES = st.sampled_from(["theme", "entity", "limit", "cursor", "curs%6Fr", "q", "kind", "a+b"])
_PARAMETERS = st.lists(
    st.tuples(_PARAMETER_NAMES, st.text(st.characters(min_codepoint=32, max_codepoint=126)))
)


@given(parameters=_PARAMETERS, escape=st.sampled_from([quote, quote_plus]), empty_parts=st.booleans())
def test_a_link_keeps_every_parameter_but_the_cursor_and_adds_the_new_one(
    parameters: list[tuple[str, str]], escape: Any, empty_parts: bool
) -> None:
    """Whatever the query (plain or escaped, with or without cursors and empty parts), the Link's query
    reads as the request's parameters, in order, without its cursors, then the new cursor."""
    parts = [f"{name}={escape(value, safe='')}" for name, value in parameters]
    query = ("&&" if empty_parts else "&").join(parts)
    scope = _claims_scope("http", "api.example", query.encode(), ("10.0.0.1", 8000))
    match = re.fullmatch(
        r'<http://api\.example/v1/claims\?(?P<query>[^>]*)>; rel="next"', next_link(scope, "abc=")
    )
    assert match
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != "cursor"]
    assert parse_qsl(match["query"], keep_blank_values=True) == [*kept, ("cursor", "abc=")]


# "PAKISTAN" in full-width letters: the entity's slug once its width is folded.
FULL_WIDTH_PAKISTAN = "".join(chr(ord(letter) + 0xFEE0) for letter in "PAKISTAN")


@pytest.mark.parametrize(
    ("key", "escaped"),
    [(FULL_WIDTH_PAKISTAN, quote(FULL_WIDTH_PAKISTAN, safe="")), ("Pakistan ", "Pakistan%20")],
)
def test_a_next_link_escapes_its_path(client: TestClient, key: str, escaped: str) -> None:
    """An entity named in full-width letters or with a space resolves to a paged list: its Link is
    ASCII, the path escaped again (a raw full-width path in the header answered 500)."""
    response = client.get(f"/v1/entities/{key}/claims?limit=1")
    assert response.status_code == 200
    link = response.headers["link"]
    assert f"/v1/entities/{escaped}/claims?limit=1&cursor=" in link, link
    assert link.isascii()


def test_streamed_exports_have_no_etag_and_gzip_as_a_stream(client: TestClient) -> None:
    response = client.get("/v1/claims?format=csv", headers=GZIP)
    assert response.status_code == 200
    assert "etag" not in response.headers
    assert "link" not in response.headers
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert response.text.startswith("id,statement")


def test_middleware_never_buffers_a_stream(seeded_url: str) -> None:
    # At the ASGI level: the first chunk leaves the whole middleware stack before the second is made.
    app = create_app(Settings(database_url=seeded_url))
    sent: list[MutableMapping[str, Any]] = []
    sent_before_second: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b"a" * 4000
        sent_before_second.append(len(sent))
        yield b"b" * 4000

    @app.get("/chunks")
    def chunked() -> StreamingResponse:
        return StreamingResponse(chunks(), media_type="text/plain")

    asgi = _asgi_get(app, "/chunks", sent)
    anyio.run(asgi)
    assert sent_before_second == [2], "the start and the first chunk were sent before the second was made"
    assert sent[0]["status"] == 200
    headers = {name.decode().lower(): value.decode() for name, value in sent[0]["headers"]}
    assert headers["content-encoding"] == "gzip"
    assert "etag" not in headers
    body = b"".join(message.get("body", b"") for message in sent[1:])
    assert gzip.decompress(body) == b"a" * 4000 + b"b" * 4000


def _asgi_get(app: FastAPI, path: str, sent: list[MutableMapping[str, Any]]) -> Any:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"accept-encoding", b"gzip")],
        "client": ("127.0.0.1", 12345),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:
        await app(scope, receive, send)

    return call
