"""The mixed load of the write benchmark: writers creating, editing and deleting their own claims through
the API while wrk reads, and every answer the writers got, kept for the count check afterwards."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2

# A writer's first cycle and every KEEP_EVERY-th after it leave the claim in place, so the count check
# sees live claims too.
KEEP_EVERY = 5
# A 503 (a writer waited its turn too long) is retried after this long, at most MAX_RETRIES times.
RETRY_AFTER_S = 0.05
MAX_RETRIES = 200
# Cycles each writer runs whatever the time: so that even a short run deletes claims as well as keeps them.
MIN_CYCLES = 2
KINDS = ("fact", "opinion", "prediction", "recommendation")


@dataclass(frozen=True)
class Basis:
    """What a new claim rests on: a held document and a real quote at its span there."""

    document: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Vocabulary:
    """Real values from the corpus that the writers' bodies use."""

    bases: list[Basis]
    themes: list[str]
    entities: list[str]


@dataclass
class Written:
    """One claim a writer made: the answers it got, in order."""

    claim_id: str
    etags: list[str] = field(default_factory=list)
    statement: str = ""
    themes: list[str] = field(default_factory=list)
    patched: bool = False
    deleted: bool = False


@dataclass
class Tally:
    """What the writers saw: latencies (ms) per write kind, retries, and every unexpected answer."""

    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"create": [], "patch": [], "delete": []}
    )
    claims: list[Written] = field(default_factory=list)
    retried_503: int = 0
    unexpected: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """The `share` (0..1) quantile of `values` (nearest rank), 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(values: list[float]) -> dict[str, float | int]:
    """Count, p50, p99, mean and max of latencies in milliseconds."""
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 0.50), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "mean_ms": round(statistics.fmean(values), 2) if values else 0.0,
        "max_ms": round(max(values), 2) if values else 0.0,
    }


class Pacer:
    """When a paced writer's next write is due: arrivals at `rate` writes a second, at random (exponential)
    intervals, as from people working independently."""

    def __init__(self, rate: float, rng: random.Random) -> None:
        self.rate = rate
        self.rng = rng
        self.due = time.perf_counter() + rng.expovariate(rate)

    async def wait(self) -> float:
        """Sleep until the next write is due and return when it was due. A write that starts late (the
        previous one took longer than the interval) counts its latency from when it was due, so a backlog
        shows in the latencies instead of silently lowering the rate."""
        due = self.due
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        self.due = due + self.rng.expovariate(self.rate)
        return due


class Writer:
    """One writer task: create -> patch (If-Match) -> delete (If-Match) cycles on claims of its own, each
    write as soon as the last is answered, or when its `pacer` says it is due."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        number: int,
        vocabulary: Vocabulary,
        tally: Tally,
        pace: float | None = None,
    ) -> None:
        self.client = client
        self.number = number
        self.vocabulary = vocabulary
        self.tally = tally
        self.rng = random.Random(number)
        self.pacer = Pacer(pace, self.rng) if pace else None

    async def _send(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx2.Response | None:
        """The request, retried on 503; its latency (retries included) is recorded under `kind`."""
        started = time.perf_counter() if self.pacer is None else await self.pacer.wait()
        for _ in range(MAX_RETRIES):
            try:
                response = await self.client.request(method, path, **kwargs)
            except httpx2.HTTPError as error:
                self.tally.unexpected.append(f"{method} {path}: {type(error).__name__}: {error}")
                return None
            if response.status_code != 503:
                self.tally.latencies[kind].append(1000 * (time.perf_counter() - started))
                return response
            self.tally.retried_503 += 1
            await asyncio.sleep(RETRY_AFTER_S)
        self.tally.unexpected.append(f"{method} {path}: still 503 after {MAX_RETRIES} attempts")
        return None

    def _expect(self, response: httpx2.Response, status: int, what: str) -> bool:
        """True when `response` has `status`; else it is recorded as unexpected."""
        if response.status_code != status:
            self.tally.unexpected.append(f"{what}: {response.status_code} {response.text[:300]}")
            return False
        return True

    def _themes(self) -> list[str]:
        return sorted(self.rng.sample(self.vocabulary.themes, k=min(2, len(self.vocabulary.themes))))

    async def cycle(self, index: int) -> None:
        """One claim's life: created, edited (statement and themes), and deleted unless it is kept."""
        basis = self.rng.choice(self.vocabulary.bases)
        statement, themes = f"Bench writer {self.number}, claim {index}: {basis.quote[:200]}", self._themes()
        body = {
            "document": basis.document,
            "statement": statement,
            "quote": basis.quote,
            "span": {"start": basis.start, "end": basis.end},
            "kind": self.rng.choice(KINDS),
            "themes": themes,
            "entities": self.rng.sample(self.vocabulary.entities, k=min(2, len(self.vocabulary.entities))),
        }
        response = await self._send("create", "POST", "/v1/claims", json=body)
        if response is None or not self._expect(
            response, 201, f"create (writer {self.number}, cycle {index})"
        ):
            return
        written = Written(response.json()["id"], [response.headers["etag"]], statement, themes)
        self.tally.claims.append(written)
        path = f"/v1/claims/{written.claim_id}"
        statement, themes = f"Bench writer {self.number}, claim {index}, edited.", self._themes()
        response = await self._send(
            "patch",
            "PATCH",
            path,
            json={"statement": statement, "themes": themes},
            headers={"If-Match": written.etags[-1]},
        )
        if response is None or not self._expect(response, 200, f"patch {written.claim_id}"):
            return
        written.etags.append(response.headers["etag"])
        written.statement, written.themes, written.patched = statement, themes, True
        if index % KEEP_EVERY == 0:
            return
        response = await self._send("delete", "DELETE", path, headers={"If-Match": written.etags[-1]})
        if response is not None and self._expect(response, 204, f"delete {written.claim_id}"):
            written.deleted = True

    async def run(self, stop: asyncio.Event) -> None:
        """Cycles until `stop` is set (MIN_CYCLES at least); a cycle begun is finished, so no claim is left
        half-written."""
        index = 0
        while index < MIN_CYCLES or not stop.is_set():
            await self.cycle(index)
            index += 1


async def run_writers(
    base_url: str,
    key: str,
    writers: int,
    vocabulary: Vocabulary,
    stop: asyncio.Event,
    *,
    rate: float | None = None,
    first: int = 0,
) -> Tally:
    """`writers` concurrent writers (numbered from `first`) until `stop` is set; what they saw. With a
    `rate` (writes a second, all writers together) each writer writes when due; without, back to back."""
    tally = Tally()
    limits = httpx2.Limits(max_connections=writers, max_keepalive_connections=writers)
    headers = {"Authorization": f"Bearer {key}"}
    pace = rate / writers if rate else None
    async with httpx2.AsyncClient(base_url=base_url, headers=headers, timeout=120, limits=limits) as client:
        tasks = [
            Writer(client, number, vocabulary, tally, pace).run(stop)
            for number in range(first, first + writers)
        ]
        await asyncio.gather(*tasks)
    return tally
