#!/usr/bin/env python3
"""Facets beside the other reads: a claim's latency while a tenth of the requests count facets.

    python3 bench/facets_mix.py                               100,000 claims, SQLite and PostgreSQL
    python3 bench/facets_mix.py --size 60 --engine sqlite --seconds 2      (the CI smoke run)

The service runs as `bench/run.py` runs it (pinned to core 0, wrk on core 1), with its kept answers off
(`SECTORFACTS_ANSWER_CACHE_MB=0`), so that every facets request counts its claims: the worst case. wrk
loads it with 32 connections sending, of every 10 requests, 9 claims and 1 facets request, the facets
filtered by each theme and by theme and entity pairs in turn. Meanwhile a probe sends one claim request
at a time, every few milliseconds, on its own connection: its latencies are the claim's under that load.
The same is measured with claims only (no facets) for comparison. Prints a table and writes JSON to
bench/results/facets-mix-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Of every this many requests wrk sends, one is a facets request.
FACETS_EVERY = 10
PROBE_INTERVAL_S = 0.005


@dataclass(frozen=True)
class MixReport:
    """One engine's run: wrk's totals and the probe's claim latencies, with and without facets."""

    engine: str
    size: int
    mix: str
    wrk_rps: float
    wrk_errors: int
    facets_requests: int
    claim_requests: int
    probe_requests: int
    probe_errors: int
    claim_p50_ms: float
    claim_p99_ms: float
    claim_max_ms: float


def mixed_paths(sqlite_file: Path, facets: bool) -> tuple[list[str], list[str]]:
    """The paths wrk sends in turn (claims, and with `facets` every 10th a facets request: by each theme,
    and by each of the commonest theme and entity pairs, in turn), and the claims the probe asks for."""
    connection = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    try:
        claims = [row[0] for row in connection.execute("SELECT id FROM claim ORDER BY random() LIMIT 900")]
        themes = [row[0] for row in connection.execute("SELECT slug FROM theme ORDER BY slug")]
        pairs = connection.execute(
            "SELECT t.slug, e.slug FROM claim_pair p JOIN theme t ON t.id = p.theme_id "
            "JOIN entity e ON e.id = p.entity_id GROUP BY p.theme_id, p.entity_id "
            "ORDER BY count(*) DESC LIMIT 100"
        ).fetchall()
    finally:
        connection.close()
    filters = [f"theme={theme}" for theme in themes] + [f"theme={t}&entity={e}" for t, e in pairs]
    paths: list[str] = []
    for index, claim in enumerate(claims):
        if facets and index % (FACETS_EVERY - 1) == 0:
            chosen = filters[(index // (FACETS_EVERY - 1)) % len(filters)]
            paths.append(f"/v1/claims/facets?{chosen}&size=1000")
        paths.append(f"/v1/claims/{claim}")
    return paths, claims[:100]


class Probe(threading.Thread):
    """One claim request at a time, on one kept connection, every PROBE_INTERVAL_S, until stopped."""

    def __init__(self, port: int, claims: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.claims = port, claims
        self.latencies: list[float] = []
        self.errors = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        step = 0
        while not self.stopping.is_set():
            path = f"/v1/claims/{self.claims[step % len(self.claims)]}"
            step += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - began)
            self.stopping.wait(PROBE_INTERVAL_S)
        connection.close()


def _percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1] * 1000


def measure(engine: str, database_url: str, sqlite_file: Path, size: int, seconds: float) -> list[MixReport]:
    """Claims only, then claims with a tenth facets: wrk's load and the probe's claim latencies."""
    from bench.harness import LOAD_CORE, service_server
    from bench.wrk import run_wrk

    reports = []
    with tempfile.TemporaryDirectory(prefix="sectorfacts-facets-mix-") as folder:
        server = service_server(f"service-{engine}", database_url, Path(folder))
        server.env["SECTORFACTS_ANSWER_CACHE_MB"] = "0"  # every facets request counts
        server.start()
        try:
            for mix, facets in (("claims only", False), ("claims + 10% facets", True)):
                paths, probed = mixed_paths(sqlite_file, facets)
                run_wrk(server.base_url + paths[0], seconds=1, connections=32, core=LOAD_CORE, paths=paths)
                probe = Probe(server.port, probed)
                probe.start()
                loaded = run_wrk(
                    server.base_url + paths[0], seconds=seconds, connections=32, core=LOAD_CORE, paths=paths
                )
                probe.stopping.set()
                probe.join()
                share = sum("/facets" in path for path in paths) / len(paths)
                reports.append(
                    MixReport(
                        engine=engine,
                        size=size,
                        mix=mix,
                        wrk_rps=round(loaded.rps, 1),
                        wrk_errors=loaded.errors,
                        facets_requests=round(loaded.requests * share),
                        claim_requests=round(loaded.requests * (1 - share)),
                        probe_requests=len(probe.latencies),
                        probe_errors=probe.errors,
                        claim_p50_ms=round(_percentile(probe.latencies, 50), 2),
                        claim_p99_ms=round(_percentile(probe.latencies, 99), 2),
                        claim_max_ms=round(max(probe.latencies, default=0.0) * 1000, 2),
                    )
                )
        finally:
            server.stop()
    return reports


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from bench.writes import _in_a_venv  # the write benchmark's: re-run with the project's .venv

    _in_a_venv()
    from bench.load import postgres_corpus, sqlite_corpus
    from bench.run import _postgres_url
    from bench.session import commit, machine, versions

    parser = argparse.ArgumentParser(prog="bench/facets_mix.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="claims in the corpus")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of each load (default 10)")
    parser.add_argument(
        "--out", type=Path, help="JSON results (default bench/results/facets-mix-<time>.json)"
    )
    args = parser.parse_args(argv)

    postgres_url = _postgres_url(args.engine)
    sqlite_file = sqlite_corpus(args.size)
    targets = [] if args.engine == "postgres" else [("sqlite", f"sqlite:///{sqlite_file}")]
    if postgres_url is not None:
        targets.append(("postgresql", postgres_corpus(args.size, postgres_url)))
    reports = [
        report
        for engine, url in targets
        for report in measure(engine, url, sqlite_file, args.size, args.seconds)
    ]
    print("| engine | claims | load | wrk req/s | facets | claim p50 ms | claim p99 ms | max | errors |")
    print("|---|--:|---|--:|--:|--:|--:|--:|--:|")
    for r in reports:
        print(
            f"| {r.engine} | {r.size:,} | {r.mix} | {r.wrk_rps:,.0f} | {r.facets_requests:,} "
            f"| {r.claim_p50_ms} | {r.claim_p99_ms} | {r.claim_max_ms} | {r.wrk_errors + r.probe_errors} |"
        )
    out = args.out or ROOT / "bench" / "results" / time.strftime("facets-mix-%Y%m%d-%H%M%S.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "commit": commit(),
        "machine": machine(),
        "versions": versions(postgres_url),
        "settings": {"seconds": args.seconds, "connections": 32, "facets_every": FACETS_EVERY},
        "runs": [asdict(report) for report in reports],
    }
    out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"bench: results written to {out}", file=sys.stderr)
    failed = any(r.wrk_errors or r.probe_errors or not r.probe_requests for r in reports)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
