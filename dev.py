#!/usr/bin/env python3
"""Bootstrap and run Sector Facts API with nothing but python3 (3.11+).

    python3 dev.py serve [sectorfacts serve options]   start the server (sets itself up on first run)
    python3 dev.py test  [pytest options]              lint, type-check and run the whole test suite

Both create a virtual environment in .venv on first use and install the pinned dependencies
(constraints.txt) into it; later runs reinstall only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".sectorfacts-install"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")


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


def test(extra: list[str]) -> int:
    """Lint, format-check, type-check, then run the test suite."""
    for step in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
        if code := run(step):
            return code
    return run(["pytest", *extra])


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
