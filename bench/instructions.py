#!/usr/bin/env python3
"""Instructions per request, in-process and deterministic: the benchmark's endpoints sent through the ASGI
app one after another, each batch between two markers at which callgrind dumps its counts.

    cp seed.db /tmp/copy.db   # a copy: the app's connections may write to the file (WAL, pragmas)
    PYTHONHASHSEED=0 PYTHONPATH=$PWD valgrind --tool=callgrind --dump-before='zlib_adler32*' \\
        --callgrind-out-file=/tmp/cg.out python bench/instructions.py /tmp/copy.db 200 list_theme claim
    grep -m1 '^summary:' /tmp/cg.out.2   # the 1st endpoint's batch; the k-th is /tmp/cg.out.<2k>

Divide a batch's total by the requests in it. Each endpoint is warmed first, outside its batch. Under
valgrind a read runs ~50 times slower, so every read would pass the inline CPU budget and go to the thread
pool: the app here has a budget no read reaches, so reads run inline, as they do natively.
"""

from __future__ import annotations

import asyncio
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.asgi_get import asgi_get  # noqa: E402
from bench.targets import endpoints, pick  # noqa: E402

WARM = 30


async def batches(database: Path, requests: int, names: list[str]) -> None:
    """Each named endpoint warmed, then `requests` of it between two markers."""
    paths = {endpoint.name: endpoint.path for endpoint in endpoints(pick(database))}
    settings = Settings(database_url=f"sqlite:///{database}", inline_read_budget_ms=1000, query_timeout_ms=0)
    app = create_app(settings)
    try:
        for name in names:
            path = paths[name]
            for _ in range(WARM):
                status, body = await asgi_get(app, path)
                if status != 200:
                    raise SystemExit(f"{path}: {status} {body[:300]!r}")
            zlib.adler32(name.encode())  # marker: callgrind dumps what came before
            for _ in range(requests):
                await asgi_get(app, path)
            zlib.adler32(b"end")  # marker: the batch's counts are dumped
    finally:
        app.state.database.dispose()


def main() -> int:
    """bench/instructions.py DATABASE REQUESTS ENDPOINT..."""
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    asyncio.run(batches(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
