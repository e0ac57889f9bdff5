"""Runs Datasette (from bench/.venv-datasette) on one SQLite file with canned queries, like `datasette serve
-i FILE -m metadata.json` but without the access log, as the service is run in the benchmark.

Usage: datasette_serve.py DB_FILE METADATA_JSON PORT
"""

from __future__ import annotations

import json
import sys

import uvicorn
from datasette.app import Datasette


def main() -> None:
    path, metadata_file, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(metadata_file, encoding="utf-8") as handle:
        metadata = json.load(handle)
    datasette = Datasette(
        immutables=[path],
        metadata=metadata,
        # Generous limits: the benchmark compares speed, it must not make Datasette fail.
        settings={"sql_time_limit_ms": 30_000, "max_returned_rows": 1000, "num_sql_threads": 3},
    )
    # The service's server stack: uvicorn with Python's event loop and httptools (bench/datasette_env.py).
    uvicorn.run(
        datasette.app(), host="127.0.0.1", port=port, loop="asyncio", access_log=False, log_level="warning"
    )


if __name__ == "__main__":
    main()
