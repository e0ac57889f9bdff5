"""A served app sets how soon a waiting thread gets the interpreter, and puts the interval back after."""

from __future__ import annotations

import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app
from app.thread_switching import switch_interval


def test_the_interval_holds_while_the_app_runs_and_is_restored_after(seeded_url: str) -> None:
    before = sys.getswitchinterval()
    app = create_app(Settings(database_url=seeded_url, thread_switch_interval_ms=2.5))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert sys.getswitchinterval() == pytest.approx(0.0025)
    assert sys.getswitchinterval() == before


def test_the_interval_is_restored_when_the_block_raises() -> None:
    before = sys.getswitchinterval()
    seen: list[float] = []

    def serve() -> None:
        with switch_interval(0.0003):
            seen.append(sys.getswitchinterval())
            raise RuntimeError("the app failed")

    with pytest.raises(RuntimeError):
        serve()
    assert seen == [pytest.approx(0.0003)]
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("milliseconds", [0, 0.05, 101])
def test_an_interval_out_of_bounds_is_refused(milliseconds: float) -> None:
    with pytest.raises(ValidationError, match="thread_switch_interval_ms"):
        Settings(thread_switch_interval_ms=milliseconds)
