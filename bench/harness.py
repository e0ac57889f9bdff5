"""One corpus size of a benchmark run: start the servers, interleave wrk runs, collect medians."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.datasette_env import datasette_python
from bench.procs import Server, fetch, free_port, pinned
from bench.targets import Endpoint, datasette_metadata, endpoints, pick
from bench.wrk import WrkResult, run_wrk

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE, LOAD_CORE = 0, 1


# Endpoints the PostgreSQL service is measured on.
@dataclass(frozen=True)
class Options:
    """How hard and how long to measure."""

    rounds: int
    seconds: float
    connections: int
    high_connections: int
    stream: bool
    warmup: float = 2.0
    # Seconds per run with high_connections: long enough for 256 queued requests to be answered.
    high_seconds: float = 10.0
    # Endpoints also measured with `high_connections` (all when None).
    high_endpoints: tuple[str, ...] | None = None


@dataclass
class Target:
    """A server under test and how it spells each endpoint."""

    name: str
    server: Server
    url_for: Callable[[Endpoint], str | None]


@dataclass
class Sample:
    """One wrk run against one target and endpoint, with the server CPU it cost."""

    result: WrkResult
    cpu_s: float
    # The server's private memory (RssAnon) once the run's requests are answered.
    private_mb: float = 0.0


@dataclass
class Row:
    """The medians over the rounds for one endpoint on one target."""

    endpoint: str
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float
    bytes_per_response: float
    rounds: int
    vs_datasette: float | None = None
    vs_ceiling: float | None = None
    connections: int = 0
    private_mb: float = 0.0


@dataclass
class SizeReport:
    """Everything measured at one corpus size."""

    size: int
    picks: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    high_concurrency: list[Row] = field(default_factory=list)
    memory_kb: dict[str, dict[str, int]] = field(default_factory=dict)
    stream: dict[str, Any] | None = None


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def service_server(name: str, database_url: str, logs: Path | None, loop: str = "asyncio") -> Server:
    """The service on `database_url`, pinned to the server core, on `loop` (as `sectorfacts serve` runs
    it: asyncio, app/cli.py), logging to `logs` when given."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--loop",
        loop,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {"SECTORFACTS_DATABASE_URL": database_url, "SECTORFACTS_SEED_ON_EMPTY": "false"}
    log = logs / f"{name}.log" if logs else None
    return Server(name, pinned(argv, SERVER_CORE), port, env, "/healthz", log)


def _datasette(path: Path, chosen: list[Endpoint], logs: Path) -> tuple[Server, str]:
    database = path.stem
    metadata = logs / "datasette-metadata.json"
    metadata.write_text(json.dumps(datasette_metadata(database, chosen), indent=1))
    port = free_port()
    script = str(ROOT / "bench" / "peers" / "datasette_serve.py")
    argv = [str(datasette_python()), script, str(path), str(metadata), str(port)]
    return Server(
        "datasette", pinned(argv, SERVER_CORE), port, {}, "/-/versions.json", logs / "datasette.log"
    ), database


def _ceiling(bodies: dict[str, str], logs: Path) -> Server:
    file = logs / "ceiling-bodies.json"
    file.write_text(json.dumps(bodies))
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.peers.ceiling:app",
        "--loop",
        "asyncio",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {"BENCH_CEILING_BODIES": str(file), "PYTHONPATH": str(ROOT)}
    return Server("ceiling", pinned(argv, SERVER_CORE), port, env, "/healthz", logs / "ceiling.log")


def _measure(target: Target, url: str, seconds: float, connections: int) -> Sample:
    before = target.server.cpu_seconds()
    # One connection is how slow endpoints are loaded: give each of their answers a minute.
    timeout_s = 60 if connections == 1 else 10
    result = run_wrk(url, seconds=seconds, connections=connections, core=LOAD_CORE, timeout_s=timeout_s)
    # Requests still queued when wrk stops are served before the next run starts, and counted here.
    target.server.wait_until_idle()
    private_mb = target.server.memory_kb().get("RssAnon", 0) / 1024
    return Sample(result, target.server.cpu_seconds() - before, private_mb)


def _row(endpoint: str, target: str, samples: list[Sample], connections: int) -> Row:
    def median(values: list[float]) -> float:
        return float(statistics.median(values))

    return Row(
        endpoint=endpoint,
        target=target,
        rps=median([s.result.rps for s in samples]),
        p50_ms=median([s.result.p50_ms for s in samples]),
        p99_ms=median([s.result.p99_ms for s in samples]),
        errors=sum(s.result.errors for s in samples),
        cpu_ms_per_request=median([1000 * s.cpu_s / max(1, s.result.requests) for s in samples]),
        bytes_per_response=median([s.result.bytes / max(1, s.result.requests) for s in samples]),
        rounds=len(samples),
        connections=connections,
        private_mb=max(s.private_mb for s in samples),
    )


# One answer slower than this and the endpoint is loaded by one connection on that target: 32 (or 256)
# queued requests of several seconds each would outlast the run, time out in wrk and spill into the next.
SLOW_S = 0.5


def _check_answers(targets: list[Target], chosen: list[Endpoint]) -> dict[tuple[str, str], float]:
    """Every target answers every endpoint with 200 before anything is measured; returns the slow
    (endpoint, target) pairs, whose second answer took longer than SLOW_S, with that time."""
    slow: dict[tuple[str, str], float] = {}
    for endpoint in chosen:
        answers: dict[str, bytes] = {}
        for target in targets:
            url = target.url_for(endpoint)
            if url is None:
                continue
            status, body = fetch(url, timeout=300)
            if status != 200:
                raise RuntimeError(f"{target.name} answered {status} to {url}: {body[:500]!r}")
            answers[target.name] = body
            started = time.monotonic()
            fetch(url, timeout=300)
            if (took := time.monotonic() - started) > SLOW_S:
                _log(f"  {endpoint.name} on {target.name}: {took:.1f} s an answer, loaded by one connection")
                slow[(endpoint.name, target.name)] = took
        _same_claims(endpoint, answers)
    return slow


def _same_claims(endpoint: Endpoint, answers: dict[str, bytes]) -> None:
    """Datasette's claims (its canned query's stored answers) must be the service's, in the same order."""
    if endpoint.shape != "arrayfirst" or not {"service", "datasette"} <= answers.keys():
        return
    service = json.loads(answers["service"])
    if json.loads(answers["datasette"]) != service.get("data", [service]):
        shown = answers["datasette"][:300]
        raise RuntimeError(f"Datasette's {endpoint.name} is not the service's: {shown!r}")


def _stream(target: Target, size: int) -> dict[str, Any]:
    """Stream the whole corpus as NDJSON, sampling the server's memory; constant memory means a flat peak.

    Private memory (RssAnon) is what the process allocates; VmRSS also counts the database pages the
    SQLite connections map (mmap), which the kernel shares and reclaims.
    """
    first = target.server.memory_kb()
    peak = dict(first)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            for name, value in target.server.memory_kb().items():
                peak[name] = max(peak.get(name, 0), value)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    lines = received = 0
    url = target.server.base_url + "/v1/claims?format=ndjson"
    with urllib.request.urlopen(url, timeout=600) as response:
        while chunk := response.read(1 << 16):
            received += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    if lines != size:
        raise RuntimeError(f"NDJSON export streamed {lines} lines for {size} claims")
    return {
        "claims": lines,
        "megabytes": round(received / 1e6, 1),
        "seconds": round(elapsed, 2),
        "claims_per_s": round(lines / elapsed),
        "rss_before_mb": round(first["VmRSS"] / 1024, 1),
        "rss_peak_mb": round(peak["VmRSS"] / 1024, 1),
        "private_before_mb": round(first.get("RssAnon", 0) / 1024, 1),
        "private_peak_mb": round(peak.get("RssAnon", 0) / 1024, 1),
    }


def measure_size(
    size: int, sqlite_file: Path, postgres_url: str | None, options: Options, *, only: list[str] | None
) -> SizeReport:
    """Start every server for one corpus, measure each endpoint on each, interleaved, and stop them."""
    picks = pick(sqlite_file)
    chosen = [e for e in endpoints(picks) if only is None or e.name in only]
    report = SizeReport(size=size, picks=asdict(picks))
    with tempfile.TemporaryDirectory(prefix="sectorfacts-bench-") as folder:
        logs = Path(folder)
        servers: list[Server] = []
        try:
            service = service_server("service", f"sqlite:///{sqlite_file}", logs)
            servers.append(service)
            service.start()
            targets = [Target("service", service, lambda e: service.base_url + e.path)]
            datasette, ds_name = _datasette(sqlite_file, chosen, logs)
            servers.append(datasette)
            datasette.start()
            targets.append(
                Target(
                    "datasette",
                    datasette,
                    lambda e: (p := e.datasette_path(ds_name)) and datasette.base_url + p,
                )
            )
            bodies = {e.name: fetch(service.base_url + e.path, timeout=300)[1].decode() for e in chosen}
            ceiling = _ceiling(bodies, logs)
            servers.append(ceiling)
            ceiling.start()
            targets.append(Target("ceiling", ceiling, lambda e: f"{ceiling.base_url}/c/{e.name}"))
            if postgres_url is not None:
                service_pg = service_server("service-pg", postgres_url, logs)
                servers.append(service_pg)
                service_pg.start()
                targets.append(
                    Target(
                        "service-pg",
                        service_pg,
                        lambda e: service_pg.base_url + e.path,
                    )
                )
            slow = _check_answers(targets, chosen)
            _run_rounds(report, targets, chosen, options, slow)
            for target in targets:
                report.memory_kb[target.name] = target.server.memory_kb()
            if options.stream:
                _log(f"  streaming {size:,} claims as NDJSON")
                report.stream = _stream(targets[0], size)
                report.memory_kb["service-after-stream"] = service.memory_kb()
        finally:
            for server in servers:
                server.stop()
    return report


def _run_rounds(
    report: SizeReport,
    targets: list[Target],
    chosen: list[Endpoint],
    options: Options,
    slow: dict[tuple[str, str], float],
) -> None:
    def connections(endpoint: Endpoint, target: Target, wanted: int) -> int:
        return 1 if (endpoint.name, target.name) in slow else wanted

    for endpoint in chosen if options.warmup > 0 else []:
        for target in targets:
            if (url := target.url_for(endpoint)) is not None and (endpoint.name, target.name) not in slow:
                run_wrk(url, seconds=options.warmup, connections=options.connections, core=LOAD_CORE)
                target.server.wait_until_idle()
    samples: dict[tuple[str, str], list[Sample]] = {}
    for round_number in range(options.rounds):
        _log(f"  round {round_number + 1}/{options.rounds} at {report.size:,} claims")
        # Endpoint by endpoint, every target in turn: the targets are measured seconds apart.
        for endpoint in chosen:
            for target in targets:
                if (url := target.url_for(endpoint)) is not None:
                    open_connections = connections(endpoint, target, options.connections)
                    # A slow endpoint runs long enough to see a few answers (wrk drops unfinished ones).
                    seconds = min(90.0, max(options.seconds, 3 * slow.get((endpoint.name, target.name), 0)))
                    sample = _measure(target, url, seconds, open_connections)
                    samples.setdefault((endpoint.name, target.name), []).append(sample)
    for endpoint in chosen:
        rows = {
            t.name: _row(
                endpoint.name,
                t.name,
                samples[(endpoint.name, t.name)],
                connections(endpoint, t, options.connections),
            )
            for t in targets
            if (endpoint.name, t.name) in samples
        }
        for name, row in rows.items():
            if name.startswith("service"):
                if "datasette" in rows and rows["datasette"].rps:
                    row.vs_datasette = row.rps / rows["datasette"].rps
                if "ceiling" in rows and rows["ceiling"].rps:
                    row.vs_ceiling = row.rps / rows["ceiling"].rps
            report.rows.append(row)
    # The same endpoints against the services with many more connections: no errors allowed either.
    for endpoint in chosen:
        if options.high_endpoints is not None and endpoint.name not in options.high_endpoints:
            continue
        for target in targets:
            if target.name.startswith("service") and (url := target.url_for(endpoint)) is not None:
                if (endpoint.name, target.name) in slow:
                    continue  # 256 queued requests of seconds each would only time out
                sample = _measure(target, url, options.high_seconds, options.high_connections)
                report.high_concurrency.append(
                    _row(endpoint.name, target.name, [sample], options.high_connections)
                )
