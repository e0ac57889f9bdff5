"""Diagnostic: the service without its middleware stack (`uvicorn --factory bench.peers.bare:create_app`).

Not a target the issue compares with; it shows what the HTTP middleware costs per request."""

from __future__ import annotations

from fastapi import FastAPI

from app.main import create_app as create_service


def create_app() -> FastAPI:
    app = create_service()
    app.user_middleware.clear()
    return app
