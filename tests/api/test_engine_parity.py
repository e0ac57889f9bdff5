"""Where SQLite and PostgreSQL differ, the service normalises; each case runs on the engine under test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.keys import lookup_key
from app.services.tables import ENTITY
from seed.loader import DEFAULT_ANNOTATIONS, SEED_DIR, load_seed


def test_entities_are_ordered_by_code_point_not_by_locale(
    client: TestClient, seeded_database: Database
) -> None:
    """A locale collation would sort 'e-commerce' and 'edtech' differently from SQLite's byte order."""
    with seeded_database.read() as connection:
        keys = list(connection.execute(select(ENTITY.c.name_key)).scalars())
    names = [e["name"] for e in client.get("/v1/entities", params={"limit": 100}).json()["data"]]
    assert [lookup_key(name) for name in names] == sorted(keys)


def test_name_prefix_search_ignores_case_on_every_engine(client: TestClient) -> None:
    """SQLite's LIKE ignores ASCII case and PostgreSQL's does not; keys are stored case-folded."""
    for q in ("car", "CAR", "Car", "cAr"):
        slugs = [e["slug"] for e in client.get("/v1/entities", params={"q": q}).json()["data"]]
        assert slugs == ["careem"], q


def test_like_wildcards_in_a_prefix_are_literal(client: TestClient) -> None:
    for q in ("%", "_", "c%", "d_raz"):
        assert client.get("/v1/entities", params={"q": q}).json()["data"] == [], q


def test_nul_bytes_are_refused_before_reaching_the_engine(client: TestClient) -> None:
    """PostgreSQL text cannot hold NUL; SQLite can. Both engines answer the same 422."""
    for path, params in (
        ("/v1/claims", {"entity": "care\x00em"}),
        ("/v1/entities", {"q": "\x00"}),
        ("/v1/claims/pkit-001%00", {}),
    ):
        answer = client.get(path, params=params)
        assert answer.status_code == 422, path
        assert answer.headers["content-type"] == "application/problem+json"


def test_integers_beyond_64_bits_are_refused_not_overflowed(client: TestClient) -> None:
    for limit in (2**63, 2**64, -(2**63)):
        assert client.get("/v1/claims", params={"limit": limit}).status_code == 422


FULL_WIDTH_WIDE_NAME = "\uff37\uff29\uff24\uff25\u3000\uff2e\uff21\uff2d\uff25"  # "WIDE NAME"


@pytest.fixture
def unicode_client(migrated_database: Database, tmp_path: Path) -> Iterator[TestClient]:
    """The seed plus an entity with a non-ASCII name and an alias with a curly apostrophe."""
    annotations = yaml.safe_load(DEFAULT_ANNOTATIONS.read_text(encoding="utf-8"))
    annotations["entities"].append(
        {
            "slug": "odeme-teknoloji",
            "name": "Ödeme Teknoloji",
            "type": "company",
            "aliases": ["Jazz\u2019s Wallet", FULL_WIDTH_WIDE_NAME],
            "description": "A test entity with non-ASCII names.",
            "external_ids": {},
        }
    )
    annotations["claims"][0]["entities"].append("odeme-teknoloji")
    shutil.copy(SEED_DIR / "pakistan-it-sector.txt", tmp_path)
    path = tmp_path / "annotations.yaml"
    path.write_text(yaml.safe_dump(annotations, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_seed(migrated_database, path)
    url = migrated_database.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "key",
    [
        "Ödeme Teknoloji",
        "ÖDEME TEKNOLOJI",
        "ödeme  teknoloji",
        "Jazz's Wallet",
        "JAZZ\u2019S WALLET",
        "wide name",
    ],
)
def test_non_ascii_names_and_curly_apostrophes_resolve_alike(unicode_client: TestClient, key: str) -> None:
    answer = unicode_client.get(f"/v1/entities/{key}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["slug"] == "odeme-teknoloji"
    assert [c["id"] for c in unicode_client.get("/v1/claims", params={"entity": key}).json()["data"]] == [
        "pkit-001"
    ]


def test_non_ascii_prefix_search(unicode_client: TestClient) -> None:
    for q in ("öde", "ÖDE", "jazz\u2019s", "jazz's w"):
        slugs = [e["slug"] for e in unicode_client.get("/v1/entities", params={"q": q}).json()["data"]]
        assert slugs == ["odeme-teknoloji"], q


def test_unreachable_database_answers_503_problem_not_a_hang() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
    with TestClient(create_app(Settings(database_url=url, pool_timeout_s=2))) as unreachable:
        for path in ("/v1/claims", "/readyz"):
            answer = unreachable.get(path)
            assert answer.status_code == 503, path
            assert answer.headers["content-type"] == "application/problem+json"
            assert "Retry-After" in answer.headers


def test_exhausted_pool_answers_503_problem_after_the_pool_timeout(seeded_database: Database) -> None:
    url = seeded_database.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, pool_size=1, pool_timeout_s=0.5))
    database: Database = app.state.database
    with TestClient(app) as busy:
        held = [database.read_engine.connect() for _ in range(2)]  # pool_size 1 + overflow 1
        if database.awaiting_read_engine is not None:  # PostgreSQL's reads on the event loop: 1, no overflow
            held.append(database.awaiting_read_engine.connect())
        try:
            answer = busy.get("/v1/claims")
            assert answer.status_code == 503
            assert answer.json()["type"] == "/problems/service-unavailable"
        finally:
            for connection in held:
                connection.close()
        assert busy.get("/v1/claims").status_code == 200


def test_figures_keep_their_exact_amounts_and_bounds_include_them(client: TestClient) -> None:
    """PostgreSQL's FLOAT is double precision like SQLite's REAL: an amount comes back exactly as written,
    and a bound equal to it (inclusive) finds its claim on either engine."""
    claim = client.get("/v1/claims/daraz-raised-55-million-krasia-2018").json()
    assert claim["quantities"][0]["amount"] == 55.6e6
    for bound in ("quantity_min", "quantity_max"):
        found = client.get("/v1/claims", params={"quantity_unit": "USD", bound: "55600000"}).json()
        assert claim["id"] in [c["id"] for c in found["data"]], bound


def test_partial_dates_sort_by_code_point_on_every_engine(client: TestClient) -> None:
    """`valid_from` is byte-ordered text on both engines: "2020" before "2020-01", "2018" before "2018-05"."""
    dates = [
        c["validity"]["valid_from"]
        for c in client.get("/v1/claims", params={"sort": "valid_from", "limit": 100}).json()["data"]
        if c["validity"]["valid_from"] is not None
    ]
    assert dates == sorted(dates)
    assert len(dates) >= 8
