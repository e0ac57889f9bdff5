#!/usr/bin/env python3
"""Bootstrap and run Sector Facts API with nothing but python3 (3.11+).

    python3 dev.py serve [sectorfacts serve options]   start the server (sets itself up on first run)
    python3 dev.py test  [pytest options]              lint, type-check and run the whole test suite,
                                                       on SQLite and on PostgreSQL at the same time

Both create a virtual environment in .venv on first use and install the pinned dependencies
(constraints.txt) into it; later runs reinstall only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".sectorfacts-install"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")
POSTGRES_ENV = "SECTORFACTS_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = "/usr/bin/chromium"


def _install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the project with pinned dev dependencies when needed."""
    if sys.version_info < (3, 11):
        sys.exit("Sector Facts API needs Python 3.11 or newer")
    fingerprint = _install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("dev.py: installing dependencies into .venv", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-c", "constraints.txt", "-e", ".[dev]"], cwd=ROOT, check=True)
    STAMP.write_text(fingerprint)


def run(argv: list[str]) -> int:
    """Run one step inside .venv, echoing it; returns its exit code."""
    print(f"dev.py: $ {' '.join(argv)}", flush=True)
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=ROOT).returncode


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _wait_for(host: str, port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _reachable(host, port):
            return True
        time.sleep(0.5)
    return False


def _start_local_cluster() -> None:
    clusters = Path("/etc/postgresql")
    for version in sorted(clusters.iterdir()) if clusters.is_dir() else []:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version.name, "main", "start"], check=False
        )


def ensure_postgres() -> str | None:
    """A PostgreSQL server URL for the second test run: the running one, or one started/installed here."""
    if url := os.environ.get(POSTGRES_ENV):
        return url
    if _reachable("127.0.0.1", 5432):
        return POSTGRES_DEFAULT
    print("dev.py: no PostgreSQL on 127.0.0.1:5432; starting one", flush=True)
    _start_local_cluster()
    if _wait_for("127.0.0.1", 5432, 15):
        return POSTGRES_DEFAULT
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("dev.py: installing PostgreSQL from the distribution's packages", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=False, env=env)
        _start_local_cluster()
        if _wait_for("127.0.0.1", 5432, 30):
            set_password = "ALTER USER postgres PASSWORD 'sectorfacts'"
            subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-c", set_password], check=False)
            return "postgresql+psycopg://postgres:sectorfacts@127.0.0.1:5432/postgres"
    return None


def ensure_chromium() -> None:
    """Debian's Chromium for the browser tests (tests/system/test_browser.py), installed when missing."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("dev.py: installing Chromium from the distribution's packages", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        packages = ["chromium", "chromium-driver"]
        subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=False, env=env)
    if not Path(CHROMIUM).exists():
        print(f"dev.py: no {CHROMIUM}: the browser tests will skip (and fail under CI)", flush=True)


def _run_together(suites: dict[str, dict[str, str]], argv: list[str]) -> int:
    """Run `argv` once per suite (name -> extra environment) at the same time, each line prefixed with its
    suite's name; returns 0 only when every run passed."""
    lock = threading.Lock()
    base = {key: value for key, value in os.environ.items() if key != POSTGRES_ENV}
    runs: dict[str, subprocess.Popen[str]] = {}
    for name, env in suites.items():
        print(f"dev.py: [{name}] $ {' '.join(argv)}", flush=True)
        runs[name] = subprocess.Popen(
            [str(BIN / argv[0]), *argv[1:]],
            cwd=ROOT,
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )

    def relay(name: str, stream: IO[str]) -> None:
        for line in stream:
            with lock:
                sys.stdout.write(f"[{name}] {line}")
                sys.stdout.flush()

    relays = [threading.Thread(target=relay, args=(name, run.stdout)) for name, run in runs.items()]
    for thread in relays:
        thread.start()
    codes = {name: run.wait() for name, run in runs.items()}
    for thread in relays:
        thread.join()
    for name, code in codes.items():
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"dev.py: test suite on {name}: {verdict}", flush=True)
    return next((code for code in codes.values() if code), 0)


def test(extra: list[str]) -> int:
    """Lint, format-check, type-check, then run the test suite on SQLite and on PostgreSQL side by side."""
    for step in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
        if code := run(step):
            return code
    ensure_chromium()
    postgres = ensure_postgres()
    # The two engines' runs share nothing (each test makes its own database) and wait on servers, browsers
    # and databases much of the time, so together they take little longer than the slower one alone.
    suites = {"SQLite": {}} if postgres is None else {"SQLite": {}, "PostgreSQL": {POSTGRES_ENV: postgres}}
    code = _run_together(suites, ["pytest", "-p", "no:cacheprovider", *extra])
    if postgres is None:
        print(
            "dev.py: FAILED to find, start or install PostgreSQL: the PostgreSQL run did not happen",
            flush=True,
        )
        # A newcomer with only python3 still gets the SQLite verdict; CI must run both engines.
        return code or (1 if os.environ.get("CI") else 0)
    return code


def main() -> int:
    """Entry point: `serve` or `test`."""
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    ensure_environment()
    if command == "serve":
        os.execv(str(BIN / "sectorfacts"), [str(BIN / "sectorfacts"), "serve", *extra])
    return test(extra)


if __name__ == "__main__":
    sys.exit(main())
