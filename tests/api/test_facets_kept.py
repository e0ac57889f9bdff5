"""Facets answers kept per process: served with one read while the data revision stays the same,
counted again after any write, whatever path wrote (an API call, or SQL from outside the app)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.config import Settings
from app.db import Database, create_database
from app.services import facets
from app.services.claim_filters import ClaimFilters
from tests.api.support import get_json
from tests.conftest import statements_on
from tests.curation import Curator

THEME = "talent-workforce"
URL = f"/v1/claims/facets?theme={THEME}&size=1000"
FACETS = "/v1/claims/facets"
PARAMS = [("theme", THEME), ("size", "1000")]
CLAIM = "pkit-038"


def _body(curator: Curator, url: str = URL) -> bytes:
    response = curator.client.get(url)
    assert response.status_code == 200, response.text
    return response.content


def _app_database(curator: Curator) -> Database:
    database: Database = curator.client.app.state.database  # type: ignore[attr-defined]
    return database


def _uncached(curator: Curator) -> Database:
    """A handle on the curator's database that keeps no answers."""
    url = curator.database.url.render_as_string(hide_password=False)
    return create_database(Settings(database_url=url, answer_cache_mb=0))


def _counted(curator: Curator, filters: ClaimFilters) -> bytes:
    """The answer counted afresh, by a handle that keeps nothing."""
    counting = _uncached(curator)
    try:
        return facets.claim_facets_json(counting, filters, size=1000)
    finally:
        counting.dispose()


def _statements(curator: Curator, url: str) -> tuple[bytes, list[str]]:
    """The body of a GET of `url`, and the statements the app's reads ran for it."""
    database = _app_database(curator)
    with statements_on(*database.read_engines) as log:
        return _body(curator, url), log.statements


def _kind_count(body: Any, kind: str) -> int:
    return next((value["count"] for value in body["facets"]["kind"] if value["value"] == kind), 0)


def test_a_kept_answer_is_the_counted_one_read_with_a_single_statement(curator: Curator) -> None:
    first = _body(curator)
    assert first == _counted(curator, ClaimFilters(themes=[THEME]))
    again, statements = _statements(curator, URL)
    assert again == first
    assert len(statements) == 1, statements
    assert "data_revision" in statements[0]


def test_answers_are_kept_per_request(curator: Curator) -> None:
    # Another size or another filter is another answer, not the kept one.
    theme = get_json(curator.client, FACETS, PARAMS)
    small = get_json(curator.client, FACETS, [("theme", THEME), ("size", "1")])
    everything = get_json(curator.client, FACETS, [("size", "1000")])
    assert len(small["facets"]["entity"]) < len(theme["facets"]["entity"])
    assert everything["total"] > theme["total"]
    assert _app_database(curator).answers.size[0] == 3


def test_a_write_through_the_api_is_counted_at_once(curator: Curator) -> None:
    before = get_json(curator.client, FACETS, PARAMS)
    claim = get_json(curator.client, f"/v1/claims/{CLAIM}")
    themes = [theme["slug"] for theme in claim["themes"]]
    assert THEME not in themes  # the patch below adds the claim to the theme
    themes.append(THEME)
    response = curator.write("PATCH", f"/v1/claims/{CLAIM}", {"themes": themes}, if_match="current")
    assert response.status_code == 200, response.text
    after = _body(curator)
    assert after == _counted(curator, ClaimFilters(themes=[THEME]))
    assert get_json(curator.client, FACETS, PARAMS)["total"] == before["total"] + 1


def test_a_write_from_outside_the_app_is_counted_at_once(curator: Curator) -> None:
    before = get_json(curator.client, FACETS, PARAMS)
    kind = before["facets"]["kind"][0]["value"]
    other = "opinion" if kind != "opinion" else "fact"
    with curator.database.write_engine.begin() as connection:
        moved = connection.execute(
            text(
                "UPDATE claim SET kind = :other WHERE id IN (SELECT claim_id FROM claim_theme "
                "WHERE theme_id = (SELECT id FROM theme WHERE slug = :theme)) AND kind = :kind"
            ),
            {"other": other, "kind": kind, "theme": THEME},
        ).rowcount
    assert moved > 0
    after = _body(curator)
    assert after == _counted(curator, ClaimFilters(themes=[THEME]))
    assert _kind_count(get_json(curator.client, FACETS, PARAMS), other) == _kind_count(before, other) + moved


def test_with_no_room_every_answer_is_counted(curator: Curator) -> None:
    database = _uncached(curator)
    try:
        filters = ClaimFilters(themes=[THEME])
        assert facets.kept_facets_json(database, filters, size=1000) is None
        facets.claim_facets_json(database, filters, size=1000)
        assert facets.kept_facets_json(database, filters, size=1000) is None
        assert database.answers.size == (0, 0)
    finally:
        database.dispose()
