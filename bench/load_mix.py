"""A bounded mixed load on a running server: reads, searches, authenticated writes, /healthz probes.

    python -m bench.load_mix http://127.0.0.1:8000 WRITE_KEY --seconds 10 --concurrency 16

Prints the request count, statuses, p50/p99 per kind, and whether every acknowledged write reads back.
tests/system/test_load.py runs it against a fresh server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx2

READS = [
    "/v1/claims?limit=20",
    "/v1/claims?theme=talent-workforce",
    "/v1/claims/pkit-038",
    "/v1/entities/careem",
    "/v1/themes?limit=100",
    "/v1/claims/facets",
]
SEARCHES = ["/v1/search?q=freelance", "/v1/search?q=careem", "/v1/autocomplete?q=pa"]
# Out of every 10 requests: 6 reads, 3 searches, 1 write.
PLAN = ["read"] * 6 + ["search"] * 3 + ["write"]


@dataclass
class MixResult:
    """What the run saw: latencies (s) per kind, statuses, acknowledged notes and health probes."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "search": [], "write": []})
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[int, str] = field(default_factory=dict)
    health: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    def percentile(self, kind: str | None, q: int) -> float:
        """The q-th percentile latency in ms, of one kind or (None) of all."""
        values = sorted(
            itertools.chain.from_iterable(self.latencies.values()) if kind is None else self.latencies[kind]
        )
        if len(values) < 2:
            return values[0] * 1000 if values else 0.0
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        lines = [
            f"{self.total} requests in {self.seconds:.1f} s ({self.total / max(self.seconds, 1e-9):.0f}/s), "
            f"statuses {dict(sorted(self.statuses.items()))}, transport errors {len(self.errors)}, "
            f"acknowledged writes {len(self.acknowledged)}, /healthz {dict(self.health)}",
        ]
        for kind in (*self.latencies, None):
            count = len(self.latencies[kind]) if kind else self.total
            lines.append(
                f"  {kind or 'all':6} n={count:5}  p50 {self.percentile(kind, 50):7.1f} ms"
                f"  p99 {self.percentile(kind, 99):7.1f} ms"
            )
        return "\n".join(lines)


async def _worker(client: httpx2.AsyncClient, key: str, number: int, until: float, result: MixResult) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    for step in itertools.count():
        if time.monotonic() >= until:
            return
        kind = PLAN[(step + number) % len(PLAN)]
        started = time.perf_counter()
        try:
            if kind == "write":
                text = f"Load mix worker {number}, note {step}."
                body = {"note": text, "sources": [{"title": "Load mix"}]}
                claim = f"/v1/claims/pkit-{number % 68 + 1:03d}/context"
                response = await client.post(claim, json=body, headers=auth)
                if response.status_code == 201:
                    result.acknowledged[response.json()["id"]] = text
            else:
                paths = READS if kind == "read" else SEARCHES
                response = await client.get(paths[step % len(paths)])
        except httpx2.TransportError as error:
            result.errors.append(f"{kind}: {type(error).__name__} {error}")
            continue
        result.latencies[kind].append(time.perf_counter() - started)
        result.statuses[response.status_code] += 1
        if response.status_code >= 500:
            result.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")


async def _health(client: httpx2.AsyncClient, until: float, result: MixResult) -> None:
    while time.monotonic() < until:
        try:
            result.health[(await client.get("/healthz")).status_code] += 1
        except httpx2.TransportError:
            result.health[0] += 1
        await asyncio.sleep(0.25)


async def run_mix(base_url: str, key: str, seconds: float = 10.0, concurrency: int = 16) -> MixResult:
    """Run the mix for `seconds` with `concurrency` workers; then check every acknowledged note reads back."""
    result = MixResult()
    limits = httpx2.Limits(max_connections=concurrency + 2)
    async with httpx2.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        started = time.monotonic()
        until = started + seconds
        workers = [_worker(client, key, n, until, result) for n in range(concurrency)]
        await asyncio.gather(_health(client, until, result), *workers)
        result.seconds = time.monotonic() - started
    return result


async def missing_writes(base_url: str, result: MixResult) -> list[str]:
    """Acknowledged notes (their text) that a GET of their claims does not show."""
    found: set[str] = set()
    async with httpx2.AsyncClient(base_url=base_url, timeout=30) as client:
        for number in range(68):
            claim = (await client.get(f"/v1/claims/pkit-{number + 1:03d}")).json()
            found.update(note["note"] for note in claim["context"])
    return sorted(set(result.acknowledged.values()) - found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("key", help="an API key with scope write")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    result = asyncio.run(run_mix(args.base_url, args.key, args.seconds, args.concurrency))
    print(result.summary())
    print(f"acknowledged writes missing afterwards: {asyncio.run(missing_writes(args.base_url, result))}")


if __name__ == "__main__":
    main()
