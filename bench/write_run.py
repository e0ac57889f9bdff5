"""A whole write-benchmark run: each size on each engine, the printed tables, and the JSON results."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import _postgres_url
from bench.session import commit, machine, versions
from bench.write_report import render
from bench.write_session import WriteOptions, measure_engine, postgres_copy, sqlite_copy
from bench.wrk import ensure_wrk

SMOKE_SIZE = 60
# The targets for single-claim writes at the paced rate, beside readers.
WRITE_P50_MS = 20
WRITE_P99_MS = 100
READER_P99_RISE = 2.0
# Writes a second offered by all writers together in the paced phase (the --paced-rate default).
PACED_RATE = 48.0


def _versions(postgres_url: str | None) -> dict[str, str]:
    """The versions, with the writers' HTTP client's."""
    return versions(postgres_url, httpx2=_version("httpx2"))


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def failures(result: dict[str, Any]) -> list[str]:
    """Why one engine's measurement fails: lost, duplicated or refused writes, or readers' errors."""
    found = list(result["count_check"]["problems"]) + list(result["unexpected"])
    readers = {
        "readers alone": result["readers_alone"],
        "readers beside paced writers": result["paced"]["readers"],
        "readers beside writers back to back": result["saturated"]["readers"],
    }
    found += [f"{name}: {wrk['errors']} wrk errors" for name, wrk in readers.items() if wrk["errors"]]
    return found


def misses(result: dict[str, Any]) -> list[str]:
    """The write targets the paced phase misses: each write's p50 and p99, and the readers' p99 rise."""
    paced = result["paced"]
    found = [
        f"{kind} {label} {summary[key]:.1f} ms > {limit} ms"
        for kind, summary in paced["writes"].items()
        for key, label, limit in (("p50_ms", "p50", WRITE_P50_MS), ("p99_ms", "p99", WRITE_P99_MS))
        if summary[key] > limit
    ]
    ratio = paced["reader_p99_ratio"]
    if ratio is not None and ratio > READER_P99_RISE:
        found.append(f"readers' p99 rose {ratio:.2f}x > {READER_P99_RISE:g}x")
    return found


def run(args: argparse.Namespace, out: Path) -> bool:
    """Measure what the arguments ask for, writing `out` as results arrive; True when anything failed."""
    ensure_wrk()
    sizes = [SMOKE_SIZE] if args.smoke else (args.size or [100_000, 1_000_000])
    # A smoke run measures SQLite unless PostgreSQL is asked for by name.
    both = ["sqlite"] if args.smoke else ["sqlite", "postgres"]
    engines = both if args.engine == "both" else [args.engine]
    server = _postgres_url(args.engine) if "postgres" in engines else None
    if server is None and "postgres" in engines:
        engines.remove("postgres")
    options = WriteOptions(
        seconds=args.seconds or (2.0 if args.smoke else 20.0),
        writers=args.writers,
        paced_rate=args.paced_rate or PACED_RATE,
        reader_connections=args.reader_connections,
        ingest_claims=args.ingest_claims or (200 if args.smoke else 10_000),
        warmup=0.0 if args.smoke else 2.0,
    )
    measured = commit()
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    versions = _versions(server if "postgres" in engines else None)

    def save(result: dict[str, Any]) -> None:
        """Write the results file with the runs so far and `result` as it stands."""
        result["failures"] = failures(result)
        result["target_misses"] = misses(result)
        results.update(wall_seconds=round(time.monotonic() - started), runs=[*runs, result])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n")

    results: dict[str, Any] = {
        "commit": measured,
        "machine": machine(),
        "versions": versions,
        "settings": {
            "seconds": options.seconds,
            "writers": options.writers,
            "paced_writes_per_s": options.paced_rate,
            "targets": {
                "write_p50_ms": WRITE_P50_MS,
                "write_p99_ms": WRITE_P99_MS,
                "reader_p99_rise": READER_P99_RISE,
            },
            "reader_connections": options.reader_connections,
            "ingest_claims": options.ingest_claims,
            "smoke": args.smoke,
        },
    }
    for size in sizes:
        for engine in engines:
            print(f"bench: writes at {size:,} claims on {engine}", file=sys.stderr, flush=True)
            copy = (
                sqlite_copy(size)
                if engine == "sqlite"
                else postgres_copy(size, str(server), cached=not args.smoke)
            )
            with copy as url:
                runs.append(measure_engine(engine, url, size, options, save))
    failed = any(result["failures"] for result in runs)
    print(render(results))
    for result in runs:
        for failure in result["failures"]:
            print(f"bench: FAILED ({result['engine']}, {result['size']:,}): {failure}", file=sys.stderr)
    return failed
