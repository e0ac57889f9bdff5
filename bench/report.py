"""The printed table of a benchmark run."""

from __future__ import annotations

from typing import Any

HEADER = (
    "endpoint",
    "target",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "cpu ms/req",
    "B/resp",
    "priv MB",
    "x datasette",
    "x ceiling",
)


# The measured services, and what marks their rows in the Markdown tables.
SERVICES = {"service": "", "service-pg": " (PostgreSQL)"}


def _target(row: dict[str, Any]) -> str:
    """The target's name, marked when a slow endpoint was loaded through one connection only."""
    return str(row["target"]) + (" [1 conn]" if row.get("connections") == 1 else "")


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        cell.rjust(width) if i >= 2 else cell.ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def _table(rows: list[dict[str, Any]]) -> list[str]:
    cells = [list(HEADER)] + [
        [
            row["endpoint"],
            _target(row),
            f"{row['rps']:.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            str(row["errors"]),
            f"{row['cpu_ms_per_request']:.3f}",
            f"{row['bytes_per_response']:.0f}",
            f"{row.get('private_mb', 0):.0f}",
            _ratio(row["vs_datasette"]),
            _ratio(row["vs_ceiling"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    return [_line(line, widths) for line in cells]


def render(results: dict[str, Any]) -> str:
    """The results as text tables, one block per corpus size."""
    out: list[str] = []
    connections = results["settings"]["connections"]
    for size in results["sizes"]:
        out.append(
            f"\n== {size['size']:,} claims: medians of {size['rows'][0]['rounds'] if size['rows'] else 0}"
            f" round(s), {connections} connections =="
        )
        out += _table(size["rows"])
        out.append(f"-- {results['settings']['high_connections']} connections, services only --")
        out += _table(size["high_concurrency"])
        memory = ", ".join(
            f"{name} {kb['VmRSS'] / 1024:.0f} MB (peak {kb['VmHWM'] / 1024:.0f}; private "
            f"{kb.get('RssAnon', 0) / 1024:.0f}, mapped files {kb.get('RssFile', 0) / 1024:.0f})"
            for name, kb in size["memory_kb"].items()
        )
        out.append(f"-- RSS: {memory}")
        if size.get("stream"):
            stream = size["stream"]
            out.append(
                f"-- NDJSON export: {stream['claims']:,} claims, {stream['megabytes']} MB "
                f"in {stream['seconds']} s"
                f" ({stream['claims_per_s']:,}/s); service RSS {stream['rss_before_mb']} MB before, "
                f"peak {stream['rss_peak_mb']} MB while streaming (private memory "
                f"{stream['private_before_mb']} -> {stream['private_peak_mb']} MB)"
            )
    out.append(f"\n(wall time {results['wall_seconds']} s)")
    return "\n".join(out)


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown (for docs/performance.md): what was measured on what, then a table a size.

    Each table has the service's rows (and on PostgreSQL service-pg's), with Datasette's throughput and
    CPU beside them.
    """
    out = [_provenance(results)]
    for size in results["sizes"]:
        rounds = size["rows"][0]["rounds"] if size["rows"] else 0
        datasette = {row["endpoint"]: row for row in size["rows"] if row["target"] == "datasette"}
        out += [
            f"\n**{size['size']:,} claims** (medians of {rounds} round(s))\n",
            "| endpoint | req/s | p50 ms | p99 ms | CPU ms/req | Datasette req/s | its CPU ms | x Datasette "
            "| x ceiling |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for row in size["rows"]:
            if row["target"] not in SERVICES:
                continue
            peer = datasette.get(row["endpoint"])
            peer_cells = f"{peer['rps']:.0f} | {peer['cpu_ms_per_request']:.2f}" if peer else " | "
            out.append(
                f"| {row['endpoint']}{SERVICES[row['target']]} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                f"{row['p99_ms']:.1f} | {row['cpu_ms_per_request']:.2f} | {peer_cells} | "
                f"{_ratio(row['vs_datasette'])} | "
                f"{_ratio(row['vs_ceiling'])} |"
            )
        errors = sum(row["errors"] for key in ("rows", "high_concurrency") for row in size[key])
        out.append(f"\nErrors: {errors}.")
    return "\n".join(out)


def _provenance(results: dict[str, Any]) -> str:
    """One line naming the commit, the machine and the main versions a results file was measured with."""
    commit = results.get("commit") or {}
    sha = str(commit.get("sha") or "unknown")[:7]
    if commit.get("dirty"):
        sha += " (with uncommitted changes)"
    machine = results.get("machine", {})
    versions = ", ".join(f"{name} {value}" for name, value in results.get("versions", {}).items())
    return (
        f"Commit `{sha}`; {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory_gb', '?')} GB, Linux {machine.get('kernel', '?')}; {versions}."
    )


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
