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


def _phase_rows(results: dict[str, Any]) -> list[list[str]]:
    """Two rows per engine and size, paced writers and back to back: latencies, rate, CPU, readers."""
    rows = []
    for result in results["runs"]:
        alone = result["readers_alone"]
        for name, phase in (("paced", result["paced"]), ("back to back", result["saturated"])):
            offered = phase["offered_writes_per_s"]
            writes, readers = phase["writes"], phase["readers"]
            rows.append(
                [
                    f"{result['size']:,}",
                    _engine(result),
                    f"{name} ({offered:g}/s)" if offered else name,
                    *(f"{writes[kind]['p50_ms']:.1f} / {writes[kind]['p99_ms']:.1f}" for kind in KINDS),
                    f"{phase['writes_per_s']:.0f}",
                    f"{phase['server_cpu_ms_per_write']:.1f}",
                    f"{alone['p99_ms']:.1f} -> {readers['p99_ms']:.1f}",
                    f"{alone['rps']:.0f} -> {readers['rps']:.0f}",
                ]
            )
    return rows


def _engine_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per engine and size: the count check, the targets missed, ingest and rebuild."""
    rows = []
    for result in results["runs"]:
        checked = result["count_check"]
        rows.append(
            [
                f"{result['size']:,}",
                _engine(result),
                f"{checked['created']}/{checked['deleted']}/{checked['kept']}",
                str(len(result["failures"])),
                "; ".join(result.get("target_misses", [])) or "none",
                _ingest(result["ingest"]),
                _rebuild(result["rebuild"]),
            ]
        )
    return rows


PHASE_HEADER = [
    "claims",
    "engine",
    "writers",
    "create p50/p99 ms",
    "patch p50/p99 ms",
    "delete p50/p99 ms",
    "writes/s",
    "server CPU ms/write",
    "readers p99 alone -> mixed",
    "readers req/s",
]
ENGINE_HEADER = [
    "claims",
    "engine",
    "created/deleted/kept",
    "problems",
    "targets missed (paced)",
    "ingest claims/s (per CPU s)",
    "rebuild s (CPU s)",
]


def _text_table(header: list[str], rows: list[list[str]]) -> list[str]:
    cells = [header, *rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|---|---|" + "--:|" * (len(header) - 2)]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def render(results: dict[str, Any]) -> str:
    """The results as text tables (writes by phase, then counts, targets, ingest and rebuild)."""
    settings = results["settings"]
    out = [
        f"\n== writes: {settings['writers']} writers beside {settings['reader_connections']} reader "
        f"connections, {settings['seconds']:g} s a phase; ingest of {settings['ingest_claims']:,} claims =="
    ]
    out += _text_table(PHASE_HEADER, _phase_rows(results))
    out += ["", *_text_table(ENGINE_HEADER, _engine_rows(results))]
    out.append(f"(wall time {results['wall_seconds']} s)")
    return "\n".join(out)


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown: provenance, then the two tables."""
    out = [_provenance(results), ""]
    out += _markdown_table(PHASE_HEADER, _phase_rows(results))
    out += ["", *_markdown_table(ENGINE_HEADER, _engine_rows(results))]
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
