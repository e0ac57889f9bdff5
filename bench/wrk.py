"""Drives one URL with wrk and reads its summary (through a Lua `done` hook that prints JSON)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.procs import pinned

_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


class WrkMissing(RuntimeError):
    """wrk is not installed and could not be installed."""


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package when missing and running as root."""
    if found := shutil.which("wrk"):
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("bench: installing wrk (apt-get install wrk)", file=sys.stderr, flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=False,
            env=env,
            capture_output=True,
        )
        if found := shutil.which("wrk"):
            return found
    raise WrkMissing(
        "wrk is needed to run the benchmark: install it (Debian/Ubuntu: `apt-get install wrk`, "
        "macOS: `brew install wrk`) and run again"
    )


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    bytes: int
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _rotation(paths: list[str]) -> str:
    """A wrk `request` hook sending each of `paths` in turn (GET)."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    return f"""
local paths = {{{quoted}}}
local next_path = 0
request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
"""


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    core: int | None,
    timeout_s: int = 10,
    paths: list[str] | None = None,
) -> WrkResult:
    """Load `url` for `seconds` with `connections` open connections, from one thread; with `paths`, each
    connection sends those paths of `url`'s server in turn instead."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_REPORT + (_rotation(paths) if paths else ""))
    try:
        argv = [
            ensure_wrk(),
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            f"{timeout_s}s",
            "-s",
            script.name,
            url,
        ]
        done = subprocess.run(
            pinned(argv, core), capture_output=True, text=True, timeout=seconds + timeout_s + 60, check=False
        )
    finally:
        Path(script.name).unlink()
    line = next((row for row in done.stdout.splitlines() if row.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(raw[name] for name in ("connect", "read", "write", "status", "timeout"))
    return WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        bytes=raw["bytes"],
        errors=errors,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )
