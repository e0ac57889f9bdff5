"""The write benchmark's tables: as text after a run, and as Markdown for docs/performance.md.

python3 bench/write_report.py bench/results/writes-<time>.json      Markdown
"""

from __future__ import annotations

from typing import Any

from bench.report import _provenance

KINDS = ("create", "patch", "delete")


def _engine(result: dict[str, Any]) -> str:
    return "SQLite" if result["engine"] == "sqlite" else "PostgreSQL"


def _ingest(ingest: dict[str, Any] | None) -> str:
    if ingest is None:
        return "not run"
    per_cpu = ingest.get("claims_per_cpu_s")
    return f"{ingest['claims_per_s']:,}" + (f" ({per_cpu:,})" if per_cpu is not None else "")


def _rebuild(rebuild: dict[str, Any] | None) -> str:
    if rebuild is None:
        return "not run"
    cpu = rebuild.get("cpu_seconds")
    return f"{rebuild['seconds']:.1f}" + (f" ({cpu:.1f})" if cpu is not None else "")


def _rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per engine and size: write latencies, readers alone and mixed, counts, ingest, rebuild."""
    rows = []
    for result in results["runs"]:
        writes = result["writes"]
        alone, mixed = result["readers_alone"], result["readers_mixed"]
        checked = result["count_check"]
        rows.append(
            [
                f"{result['size']:,}",
                _engine(result),
                *(f"{writes[kind]['p50_ms']:.1f} / {writes[kind]['p99_ms']:.1f}" for kind in KINDS),
                f"{result['writes_per_s']:.0f}",
                f"{result.get('server_cpu_ms_per_write', 0):.1f}",
                f"{alone['p99_ms']:.1f} -> {mixed['p99_ms']:.1f}",
                f"{alone['rps']:.0f} -> {mixed['rps']:.0f}",
                f"{checked['created']}/{checked['deleted']}/{checked['kept']}",
                str(len(result["failures"])),
                _ingest(result["ingest"]),
                _rebuild(result["rebuild"]),
            ]
        )
    return rows


HEADER = [
    "claims",
    "engine",
    "create p50/p99 ms",
    "patch p50/p99 ms",
    "delete p50/p99 ms",
    "writes/s",
    "server CPU ms/write",
    "readers p99 alone -> mixed",
    "readers req/s",
    "created/deleted/kept",
    "problems",
    "ingest claims/s (per CPU s)",
    "rebuild s (CPU s)",
]


def render(results: dict[str, Any]) -> str:
    """The results as a text table (one line per engine and size) and the problems found."""
    settings = results["settings"]
    cells = [HEADER, *_rows(results)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    out = [
        f"\n== writes: {settings['writers']} writers beside {settings['reader_connections']} reader "
        "connections, "
        f"{settings['seconds']:g} s a phase; ingest of {settings['ingest_claims']:,} claims =="
    ]
    out += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    out.append(f"(wall time {results['wall_seconds']} s)")
    return "\n".join(out)


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown: provenance, then one table row per engine and size."""
    out = [
        _provenance(results),
        "",
        "| " + " | ".join(HEADER) + " |",
        "|---|---|" + "--:|" * (len(HEADER) - 2),
    ]
    out += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
