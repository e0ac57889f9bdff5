"""Datasette, the peer, in its own virtual environment (bench/.venv-datasette), installed from PyPI."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

DATASETTE_VERSION = "0.65.5"
# The same HTTP server stack as the service and the ceiling (uvicorn picks httptools up when installed;
# all three run Python's own event loop), so that the ratios compare what each app does per request, not
# h11 against httptools.
SERVER_EXTRAS = ("httptools==0.9.0",)
VENV = Path(__file__).resolve().parent / ".venv-datasette"


def datasette_python() -> Path:
    """The Python of the Datasette environment, creating it and installing Datasette when missing."""
    python = VENV / "bin" / "python"
    stamp = VENV / f".datasette-{DATASETTE_VERSION}-httptools"
    if python.exists() and stamp.exists():
        return python
    print(f"bench: installing datasette=={DATASETTE_VERSION} into {VENV}", file=sys.stderr, flush=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"datasette=={DATASETTE_VERSION}",
            *SERVER_EXTRAS,
        ],
        check=True,
    )
    stamp.write_text(DATASETTE_VERSION)
    return python


def datasette_version() -> str:
    """What `datasette --version` says."""
    done = subprocess.run(
        [str(VENV / "bin" / "datasette"), "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()
