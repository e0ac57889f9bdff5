"""Outage drill: the database goes away under a live server, then comes back, and the server recovers alone.

The drill runs its own PostgreSQL cluster (initdb into a temporary folder, its own port and socket
folder), so stopping it disturbs nothing else; the server under test is the real `sectorfacts serve`.
docs/reliability.md (## Faults) says what was seen.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from tests.system.support import free_port, run_sectorfacts, serving

RECOVERY_WITHIN_S = 20.0
PROBLEM_JSON = "application/problem+json"
NOTE = {"note": "Outage drill.", "sources": [{"title": "Outage drill"}]}


def _postgres_tool(name: str) -> str | None:
    """`initdb` or `pg_ctl`: on the PATH, else the newest /usr/lib/postgresql/<version>/bin one."""
    if found := shutil.which(name):
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(Path(path).parts[-3])
    )
    return candidates[-1] if candidates else None


@dataclass
class Cluster:
    """A private PostgreSQL cluster: a data folder, a port on 127.0.0.1 and a socket folder of its own."""

    pg_ctl: str
    folder: Path
    port: int

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its `postgres` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        # A throwaway cluster: fsync off and a small footprint, so the drill costs the machine little.
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c shared_buffers=16MB -c max_connections=40"
        )
        data, log = str(self.folder / "data"), str(self.folder / "postgres.log")
        _run_as_postgres([self.pg_ctl, "-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start"])

    def stop(self) -> None:
        """Stop it the hard way (`-m immediate`: no checkpoint, clients cut off), as a crash or an outage."""
        _run_as_postgres([self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root, which is how these tests run in the project's container.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run_as_postgres(command: list[str]) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{command[0]} {command[-1]} failed:\n{done.stdout}\n{done.stderr}"


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A new cluster in a temporary folder, started; stopped and removed afterwards."""
    initdb, pg_ctl = _postgres_tool("initdb"), _postgres_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) to run a private cluster with")
    # Not pytest's tmp_path: its parents are private to root, and the cluster runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="sf-outage-"))
    cluster = Cluster(pg_ctl=pg_ctl, folder=folder, port=free_port())
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        initialise = [initdb, "-D", str(folder / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        _run_as_postgres([*initialise, "--no-locale", "--no-sync"])
        cluster.start()
        yield cluster
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(folder / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _cli(database_url: str, cwd: Path, *args: str) -> str:
    """Run `sectorfacts ARGS` on `database_url`; its stdout."""
    done = run_sectorfacts(database_url, cwd, *args, timeout=120)
    assert done.returncode == 0, f"sectorfacts {' '.join(args)}:\n{done.stderr}"
    return done.stdout


def _assert_unavailable(answer: httpx2.Response) -> None:
    """A 503 problem that tells the client when to come back."""
    assert answer.status_code == 503, f"{answer.request.method} {answer.request.url}: {answer.text[:300]}"
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json()["type"] == "/problems/service-unavailable"
    assert int(answer.headers["retry-after"]) > 0


def test_an_unreachable_database_answers_503_and_the_server_recovers_by_itself(tmp_path: Path) -> None:
    with private_cluster() as cluster:
        _cli(cluster.url, tmp_path, "migrate")
        _cli(cluster.url, tmp_path, "seed")
        key = _cli(
            cluster.url, tmp_path, "keys", "create", "--name", "outage drill", "--scope", "write"
        ).strip()
        auth = {"Authorization": f"Bearer {key}"}
        with (
            serving(cluster.url, tmp_path, tmp_path / "server.log", "--no-setup") as base_url,
            httpx2.Client(base_url=base_url, timeout=10) as client,
        ):
            assert client.get("/v1/claims").status_code == 200
            before = client.post("/v1/claims/pkit-001/context", json=NOTE, headers=auth)
            assert before.status_code == 201, before.text

            cluster.stop()
            # Every pooled connection is now dead; each round must still answer 503, never 500 or a hang.
            slowest = 0.0
            for _ in range(3):
                for method, path, headers in (
                    ("GET", "/v1/claims", {}),
                    ("GET", "/readyz", {}),
                    ("POST", "/v1/claims/pkit-001/context", auth),
                ):
                    started = time.monotonic()
                    answer = client.request(
                        method, path, json=NOTE if method == "POST" else None, headers=headers
                    )
                    slowest = max(slowest, time.monotonic() - started)
                    _assert_unavailable(answer)
                assert client.get("/healthz").status_code == 200  # alive: an orchestrator must not restart it

            cluster.start()
            restarted = time.monotonic()
            deadline = restarted + RECOVERY_WITHIN_S
            statuses: list[int] = []
            while (status := client.get("/v1/claims").status_code) != 200:
                statuses.append(status)
                assert time.monotonic() < deadline, f"no recovery within {RECOVERY_WITHIN_S} s: {statuses}"
                time.sleep(0.1)
            recovered_after = time.monotonic() - restarted
            after = client.post("/v1/claims/pkit-001/context", json=NOTE, headers=auth)
            assert after.status_code == 201, after.text
            assert client.get("/readyz").status_code == 200
            # The write acknowledged before the outage survived it (the cluster was cut off, not wiped).
            assert client.get(f"/v1/notes/{before.json()['id']}").status_code == 200
        print(
            f"slowest 503 during the outage: {slowest:.3f} s; 200 again {recovered_after:.2f} s after the "
            f"cluster was back ({len(statuses)} non-200 answers while it started: {sorted(set(statuses))})"
        )
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log
