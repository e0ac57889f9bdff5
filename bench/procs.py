"""Server processes on loopback: start (pinned to a core), wait until ready, read CPU and memory, stop."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_WITHIN_S = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pinned(argv: list[str], core: int | None) -> list[str]:
    """`argv` run on one core with taskset, where there are cores to spare and taskset exists."""
    if core is None or (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return argv
    return ["taskset", "-c", str(core), *argv]


def fetch(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """Status and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


@dataclass
class Server:
    """One server process listening on 127.0.0.1:port."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/"
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def start(self) -> None:
        output = self.log.open("wb") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.argv, env={**os.environ, **self.env}, stdout=output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                detail = self.log.read_text(errors="replace")[-3000:] if self.log else ""
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{detail}")
            try:
                if fetch(self.base_url + self.ready_path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} not ready within {READY_WITHIN_S} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def memory_kb(self) -> dict[str, int]:
        """VmRSS (now), VmHWM (peak), and RssAnon (private memory) and RssFile (mapped files: the
        SQLite database through mmap, counted once per connection) of the process, in KiB."""
        found: dict[str, int] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in {"VmRSS", "VmHWM", "RssAnon", "RssFile"}:
                found[name] = int(value.split()[0])
        return found

    def wait_until_idle(self, *, quiet_s: float = 0.3, limit_s: float = 180.0) -> float:
        """Wait until requests queued by a load run are finished, so one measurement does not run into
        the next: the process stops using CPU and its ready path answers at once (it queues behind the
        backlog in the thread pool, including requests waiting on a database server); returns the
        seconds waited."""
        started = time.monotonic()
        before = self.cpu_seconds()
        while time.monotonic() - started < limit_s:
            time.sleep(quiet_s)
            now = self.cpu_seconds()
            asked = time.monotonic()
            fetch(self.base_url + self.ready_path, timeout=limit_s)
            if now - before < 0.05 * quiet_s and time.monotonic() - asked < 0.1:
                break
            before = self.cpu_seconds()
        return time.monotonic() - started
