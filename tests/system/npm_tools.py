"""The npm tools the suite runs on the OpenAPI contract, installed from tests/system/node's lockfile.

`npm ci` installs exactly the committed package-lock.json into tests/system/node/node_modules (ignored by
git), once: a stamp holding the lockfile's SHA-256 skips the install until the lockfile changes. Without
npm or the npm registry the tests that need the tools fail under CI (CI set) and skip elsewhere, as the
browser tests do without Chromium.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

NODE_PROJECT = Path(__file__).resolve().parent / "node"
NODE_MODULES = NODE_PROJECT / "node_modules"
BIN = NODE_MODULES / ".bin"
_STAMP = NODE_MODULES / ".sectorfacts-lock-sha256"
_INSTALL_TIMEOUT_S = 600


def unavailable(reason: str) -> NoReturn:
    """Fail under CI, where every tool must be there; skip elsewhere with `reason`."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the npm tools must be installable)")
    pytest.skip(reason)


def _lock_digest() -> str:
    return hashlib.sha256((NODE_PROJECT / "package-lock.json").read_bytes()).hexdigest()


def npm_tools() -> Path:
    """The folder of the installed tools' commands (`redocly`, `openapi-typescript`, `tsc`), installing
    them first when the lockfile changed; fails or skips (see `unavailable`) when they cannot be."""
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is not installed: install Node.js and npm to lint the contract and build clients")
    # One install at a time, whatever runs the suite in parallel.
    with (NODE_PROJECT / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _STAMP.exists() and _STAMP.read_text() == _lock_digest():
            return BIN
        try:
            installed = subprocess.run(
                [str(npm), "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
                cwd=NODE_PROJECT,
                capture_output=True,
                text=True,
                timeout=_INSTALL_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            unavailable(f"`npm ci` in {NODE_PROJECT} took over {_INSTALL_TIMEOUT_S} s")
        if installed.returncode != 0:
            unavailable(
                f"`npm ci` in {NODE_PROJECT} failed (is the npm registry reachable?):\n{installed.stderr}"
            )
        _STAMP.write_text(_lock_digest())
    return BIN


def run_tool(name: str, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run one installed tool, its output captured (call `npm_tools()` first)."""
    return subprocess.run(
        [str(BIN / name), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
