#!/usr/bin/env python3
"""Instructions per claim write, in-process and deterministic: claims created, then patched, then deleted
through the service's write functions, each batch between two markers at which callgrind dumps its counts.

    cp bench/.cache/claims-10000-v1.db /tmp/copy.db   # a copy: the writes change it
    PYTHONHASHSEED=0 PYTHONPATH=$PWD valgrind --tool=callgrind --dump-before='zlib_adler32*' \\
        --callgrind-out-file=/tmp/cg.out python bench/write_instructions.py sqlite:////tmp/copy.db 50
    grep -m1 "^summary:" /tmp/cg.out.2 /tmp/cg.out.3 /tmp/cg.out.4   # create, patch, delete batches

Divide a batch's total by the writes in it. On SQLite the count covers the database's work too (it runs
in the process); on PostgreSQL only the client's. Writes as bench/write_profile.py makes them.
"""

from __future__ import annotations

import random
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db import create_database  # noqa: E402
from app.services.writes.claims import create_claim, delete_claim, update_claim  # noqa: E402
from app.services.writes.transaction import Actor  # noqa: E402
from bench.write_claims import material  # noqa: E402

WARM = 10
ACTOR = Actor(key_id=None, key_name="bench:write-instructions")


def main() -> int:
    url, writes = sys.argv[1], int(sys.argv[2])
    database = create_database(Settings(database_url=url))
    rng = random.Random(7)
    writing = material(database)
    for index in range(WARM):
        claim_id = create_claim(database, ACTOR, writing.claim(rng, f"Counted claim {index}")).public.id
        update_claim(database, ACTOR, claim_id, "*", writing.patch(rng, f"Counted claim {index}"))
        delete_claim(database, ACTOR, claim_id, "*")
    bodies = [writing.claim(rng, f"Counted claim {index}") for index in range(writes)]
    patches = [writing.patch(rng, f"Counted claim {index}") for index in range(writes)]
    zlib.adler32(b"create")
    ids = [create_claim(database, ACTOR, created).public.id for created in bodies]
    zlib.adler32(b"patch")
    for claim_id, patched in zip(ids, patches, strict=True):
        update_claim(database, ACTOR, claim_id, "*", patched)
    zlib.adler32(b"delete")
    for claim_id in ids:
        delete_claim(database, ACTOR, claim_id, "*")
    zlib.adler32(b"end")
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
