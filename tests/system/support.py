"""What the system tests share: the `sectorfacts` command, run once or served on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

SECTORFACTS = Path(sys.executable).parent / "sectorfacts"
READY_WITHIN_S = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once `/readyz` answers 200; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx2.get(f"{base_url}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"server not ready within {READY_WITHIN_S} s:\n{log.read_text()}")


def run_sectorfacts(
    database_url: str, cwd: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`sectorfacts ARGS` on `database_url`, its output captured."""
    return subprocess.run(
        [str(SECTORFACTS), *args],
        env={**os.environ, "SECTORFACTS_DATABASE_URL": database_url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def serving(database_url: str, cwd: Path, log: Path, *options: str) -> Iterator[str]:
    """`sectorfacts serve OPTIONS` in its own process group on a free port until the block ends; yields
    its base URL once ready. The group (workers included) is stopped with SIGTERM, killed if it lingers."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SECTORFACTS), "serve", "--port", str(port), *options],
            env={**os.environ, "SECTORFACTS_DATABASE_URL": database_url},
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_ready(base_url, process, log)
            yield base_url
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def bench_script(script: str, *arguments: str, timeout_s: float = 900) -> subprocess.CompletedProcess[str]:
    """Run `bench/<script>` with this Python; fails the test, with its output, unless it exits 0."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "bench" / script), *arguments],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, f"bench/{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done
