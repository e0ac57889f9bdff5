"""The ceiling: a minimal FastAPI app that answers each benchmarked endpoint with a precomputed body.

Run as `uvicorn bench.peers.ceiling:app`, with BENCH_CEILING_BODIES naming a JSON file {name: body}.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI, Response

_BODIES: dict[str, bytes] = {
    name: body.encode()
    for name, body in json.loads(Path(os.environ["BENCH_CEILING_BODIES"]).read_text()).items()
}

app = FastAPI()


@app.get("/healthz")
async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@app.get("/c/{name}")
async def precomputed(name: str) -> Response:
    return Response(_BODIES[name], media_type="application/json")
