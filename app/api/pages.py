"""The browser pages: the explorer at `/`, Swagger UI and ReDoc, all from this server's own static files.

Swagger UI and ReDoc come from the fastapi-offline package (no CDN); the pages load no inline script, so
they run under the content security policy.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def render(request: Request, name: str) -> HTMLResponse:
    """A page from app/templates, its links made absolute under the app's root path (behind a proxy)."""
    root = html.escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    return HTMLResponse(_template(name).substitute(root=root))


def explorer(request: Request) -> HTMLResponse:
    """The explorer: themes, entities, search and claims with their quotes in context."""
    return render(request, "explorer.html")


def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document."""
    return render(request, "docs.html")


def redoc(request: Request) -> HTMLResponse:
    """ReDoc for the OpenAPI document."""
    return render(request, "redoc.html")


def install_pages(app: FastAPI) -> None:
    """Serve the pages and their static files (the app's own and the vendored docs bundles)."""
    for path, endpoint in (("/", explorer), ("/docs", swagger_ui), ("/redoc", redoc)):
        app.add_api_route(
            path, endpoint, methods=["GET"], include_in_schema=False, response_class=HTMLResponse
        )
    static = StaticFiles(packages=[("app", "static"), ("fastapi_offline", "static")])
    app.mount("/static", static, name="static")
