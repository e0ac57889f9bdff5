"""A setting that needs a package which is not installed says which extra to install, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.config import Settings
from app.db import create_database
from app.main import create_app
from app.optional import BY_MODULE, MissingDependency, explain

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"
# Runs the command with a module unimportable (argv[1]), as after an install without it.
WITHOUT = (
    "import sys; sys.modules[sys.argv[1]] = None; from app.cli import main; sys.exit(main(sys.argv[2:]))"
)


def _without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, module, *args],
        env={**os.environ, "SECTORFACTS_DATABASE_URL": POSTGRES_URL, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# `serve` checks before uvicorn starts; `migrate` meets the check in create_database.
@pytest.mark.parametrize("args", [("serve", "--no-setup"), ("migrate",)])
def test_a_postgresql_url_without_its_driver_names_the_extra(args: tuple[str, ...]) -> None:
    finished = _without("psycopg", *args)
    assert finished.returncode == 2, finished.stderr
    assert "pip install 'sectorfacts[postgres]'" in finished.stderr
    assert "'psycopg'" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_an_install_without_the_mcp_sdk_says_how_to_get_it() -> None:
    finished = _without("mcp", "mcp")
    assert finished.returncode == 2, finished.stderr
    assert "pip install --upgrade sectorfacts" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_the_app_and_the_engines_refuse_with_the_same_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependency, match=r"sectorfacts\[postgres\]"):
        create_database(Settings(database_url=POSTGRES_URL))
    with pytest.raises(MissingDependency, match=r"sectorfacts\[postgres\]"):
        create_app(Settings(database_url=POSTGRES_URL))


def test_a_shared_rate_limit_store_without_its_client_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        rate_limit="10/second",
        rate_limit_storage="redis://127.0.0.1:6379",
    )
    with pytest.raises(MissingDependency, match=r"sectorfacts\[redis\]"):
        create_app(settings)


def test_an_import_missed_anyway_is_explained_only_for_optional_modules() -> None:
    assert "sectorfacts[postgres]" in (explain(ModuleNotFoundError(name="psycopg.pq")) or "")
    assert explain(ModuleNotFoundError(name="not_ours")) is None


def test_every_runtime_extra_has_a_hint() -> None:
    """A new extra in pyproject.toml must come with its hint here, or its users meet a bare traceback."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    hints = {requirement.install for requirement in BY_MODULE.values()}
    for extra in set(extras) - {"dev"}:
        assert any(f"sectorfacts[{extra}]" in hint for hint in hints), extra
