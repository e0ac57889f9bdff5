"""A whole benchmark run: corpora, measurements at each size, the printed table and the JSON results."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.datasette_env import datasette_python, datasette_version
from bench.harness import Options, SizeReport, measure_size
from bench.load import postgres_corpus, sqlite_corpus
from bench.report import render
from bench.wrk import WrkMissing, ensure_wrk

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZES = (60, 100_000, 1_000_000)
# The packages whose versions every results file records: the server stack and what a read runs through.
PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "httptools",
    "sqlalchemy",
    "pydantic",
    "orjson",
    "xxhash",
    "prometheus_client",
    "psycopg",
)


def commit() -> dict[str, Any]:
    """The git commit measured, and whether the worktree had uncommitted changes to tracked files."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    sha = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--untracked-files=no")
    return {
        "sha": sha,
        "subject": git("log", "-1", "--format=%s") if sha else None,
        "dirty": None if changes is None else bool(changes),
    }


def package_versions() -> dict[str, str]:
    """The installed version of each package in PACKAGES ("not installed" when it is not)."""
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, Any]:
    """The machine measured on: CPU model, cores, memory and kernel."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "kernel": platform.release(),
    }


def versions(postgres_url: str | None, **extra: str) -> dict[str, str]:
    """Python, SQLite, the main packages, `extra`, wrk and (when measured) PostgreSQL."""
    found = {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **package_versions(),
        **extra,
        "wrk": subprocess.run(
            [ensure_wrk(), "-v"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[0],
    }
    if postgres_url:
        from sqlalchemy import create_engine, text

        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            found["postgresql"] = str(connection.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
    return found


def _versions(postgres_url: str | None) -> dict[str, str]:
    """The versions, with Datasette's and the event loop every target runs on."""
    return versions(
        postgres_url,
        event_loop="asyncio (Python's own; the service, Datasette and the ceiling alike)",
        datasette=datasette_version(),
    )


def run(args: argparse.Namespace, postgres_url_for: Callable[[str], str | None]) -> int:
    """Run the benchmark the arguments ask for; 0 when every request answered without error."""
    try:
        ensure_wrk()
    except WrkMissing as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    datasette_python()
    sizes = [60] if args.smoke else (args.size or list(DEFAULT_SIZES))
    postgres = postgres_url_for("sqlite" if args.smoke and args.engine == "both" else args.engine)
    started = time.monotonic()
    out: Path = args.out or RESULTS / time.strftime("%Y%m%d-%H%M%S.json")
    reports: list[SizeReport] = []
    results: dict[str, Any] = {}
    measured = commit()  # before the run, so a file edited meanwhile does not change what was measured
    for size in sizes:
        rounds = args.rounds or (1 if args.smoke or size >= 1_000_000 else 3)
        options = Options(
            rounds=rounds,
            seconds=args.seconds or (1.0 if args.smoke else 3.0),
            connections=args.connections,
            high_connections=args.high_connections,
            stream=not args.no_stream,
            warmup=0.0 if args.smoke else 1.0,
            high_endpoints=("claim",) if args.smoke else None,
            high_seconds=args.high_seconds or (3.0 if args.smoke else 10.0),
        )
        sqlite_file = sqlite_corpus(size)
        postgres_url = postgres_corpus(size, postgres) if postgres else None
        print(
            f"bench: measuring {size:,} claims ({rounds} round(s) of {options.seconds:g} s per target)",
            file=sys.stderr,
            flush=True,
        )
        reports.append(measure_size(size, sqlite_file, postgres_url, options, only=args.only))
        # Written after every size, so that a long run that stops keeps what it measured.
        results = {
            "commit": measured,
            "machine": machine(),
            "versions": _versions(postgres),
            "settings": {
                "connections": args.connections,
                "high_connections": args.high_connections,
                "smoke": args.smoke,
            },
            "wall_seconds": round(time.monotonic() - started),
            "sizes": [asdict(report) for report in reports],
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n")
    print(render(results))
    print(f"bench: results written to {out}", file=sys.stderr)
    errors = sum(
        row["errors"]
        for report in results["sizes"]
        for key in ("rows", "high_concurrency")
        for row in report[key]
    )
    return 1 if errors else 0
