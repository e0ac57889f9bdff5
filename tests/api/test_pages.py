"""The explorer, Swagger UI and ReDoc pages: served by the app from its own files, nothing from outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

APP = Path(__file__).resolve().parents[2] / "app"
OWN_FILES = [*sorted((APP / "static").iterdir()), *sorted((APP / "templates").iterdir())]
PAGES = {"/": "Sector Facts Explorer", "/docs": "Swagger UI", "/redoc": "ReDoc"}


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_pages_load_only_this_servers_files(client: TestClient, path: str, title: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert title in response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset  # no other host, no CDN
        assert client.get(asset).status_code == 200, asset
    # No inline script: the pages run under script-src 'self'.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)


@pytest.mark.parametrize(
    ("asset", "media_type"),
    [
        ("/static/swagger-ui-bundle.js", "text/javascript"),
        ("/static/swagger-ui.css", "text/css"),
        ("/static/redoc.standalone.js", "text/javascript"),
        ("/static/explorer.js", "text/javascript"),
        ("/static/explorer.css", "text/css"),
    ],
)
def test_docs_bundles_come_from_the_installed_package(
    client: TestClient, asset: str, media_type: str
) -> None:
    response = client.get(asset)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert len(response.content) > 1000


@pytest.mark.parametrize("path", OWN_FILES, ids=[path.name for path in OWN_FILES])
def test_own_pages_name_no_outside_address(path: Path) -> None:
    content = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://[a-z0-9-]+\.[a-z]", content, re.IGNORECASE)
    assert '="//' not in content


def test_explorer_puts_api_text_in_the_page_as_text_only() -> None:
    script = (APP / "static" / "explorer.js").read_text(encoding="utf-8")
    # The one innerHTML decodes a search snippet's entities inside a <textarea>, which parses no markup.
    assert len(re.findall(r"\.innerHTML\s*=", script)) == 1
    assert "decoder.innerHTML = part" in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script


def test_swagger_ui_calls_no_outside_validator() -> None:
    assert "validatorUrl: null" in (APP / "static" / "swagger-init.js").read_text(encoding="utf-8")


def test_pages_follow_the_root_path_behind_a_proxy(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app, root_path="/facts") as proxied:
        for path in PAGES:
            page = proxied.get(path).text
            assets = re.findall(r'(?:src|href|spec-url|data-openapi-url|content)="(/[^"]*)"', page)
            assert assets
            assert all(asset == "/facts" or asset.startswith("/facts/") for asset in assets), assets
        explorer = proxied.get("/").text
        assert '<meta name="api-root" content="/facts">' in explorer
