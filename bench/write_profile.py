#!/usr/bin/env python3
"""Single claim writes timed in-process: create, patch and delete one claim after another on a corpus.

    python3 bench/write_profile.py --size 100000 [--writes 300] [--top 15]
    python3 bench/write_profile.py --url postgresql+psycopg://postgres@127.0.0.1:5432/db [--writes 300]

The writes go through the service's write functions (no HTTP, no concurrency): each claim is created
(a real quote of the corpus, two themes, two entities), patched (statement and themes) and deleted.
Prints per kind of write the wall and CPU time (p50, p99) and the statements it ran, and with `--top`
the statements that took longest on average. `--size` writes to a private copy of the cached SQLite
corpus (bench/load.py); `--url` writes to that database itself (create it for the purpose).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("create", "patch", "delete")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Recorder:
    """The statements each kind of write runs, and the time each statement takes."""

    def __init__(self) -> None:
        self.kind = ""
        self.count = 0
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.runs: Counter[str] = Counter()
        self.started = 0.0

    def before(self, *_: Any) -> None:
        self.count += 1
        self.started = time.perf_counter()

    def after(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        key = f"{self.kind:6s} " + " ".join(statement.split())[:140]
        self.spent[key] += time.perf_counter() - self.started
        self.runs[key] += 1


@contextmanager
def _database(arguments: argparse.Namespace) -> Iterator[str]:
    if arguments.url:
        yield arguments.url
        return
    from bench.write_session import sqlite_copy

    with sqlite_copy(arguments.size) as url:
        yield url


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from bench.writes import _in_a_venv

    _in_a_venv()
    from sqlalchemy import event

    from app.config import Settings
    from app.db import create_database
    from app.services import migrations
    from app.services.writes.claims import create_claim, delete_claim, update_claim
    from app.services.writes.transaction import Actor
    from bench.write_claims import material

    parser = argparse.ArgumentParser(prog="bench/write_profile.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="claims of the cached SQLite corpus")
    parser.add_argument("--url", help="a database to write to instead (migrated to head first)")
    parser.add_argument("--writes", type=int, default=300, help="claims created, patched and deleted")
    parser.add_argument("--top", type=int, default=0, help="print the N slowest statements on average")
    arguments = parser.parse_args()

    actor = Actor(key_id=None, key_name="bench:write-profile")
    rng = random.Random(7)
    with _database(arguments) as url:
        database = create_database(Settings(database_url=url))
        migrations.upgrade(database)
        writing = material(database)
        recorder = Recorder()
        event.listen(database.write_engine, "before_cursor_execute", recorder.before)
        event.listen(database.write_engine, "after_cursor_execute", recorder.after)
        wall: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        statements: dict[str, list[int]] = defaultdict(list)

        def timed(kind: str, write: Callable[[], Any]) -> Any:
            recorder.kind, recorder.count = kind, 0
            started, used = time.perf_counter(), time.process_time()
            result = write()
            wall[kind].append(time.perf_counter() - started)
            cpu[kind].append(time.process_time() - used)
            statements[kind].append(recorder.count)
            return result

        for index in range(arguments.writes):
            body = writing.claim(rng, f"Profiled claim {index}")
            claim_id = timed("create", partial(create_claim, database, actor, body)).public.id
            patch = writing.patch(rng, f"Profiled claim {index}")
            timed("patch", partial(update_claim, database, actor, claim_id, "*", patch))
            timed("delete", partial(delete_claim, database, actor, claim_id, "*"))
        database.dispose()

    print(f"{arguments.writes} writes of each kind on {url.rsplit('@', 1)[-1]}")
    for kind in KINDS:
        print(
            f"  {kind:6s}  wall p50 {_percentile(wall[kind], 0.5) * 1e3:7.2f} ms  "
            f"p99 {_percentile(wall[kind], 0.99) * 1e3:7.2f} ms   "
            f"cpu p50 {_percentile(cpu[kind], 0.5) * 1e3:6.2f} ms  "
            f"p99 {_percentile(cpu[kind], 0.99) * 1e3:6.2f} ms   "
            f"statements {min(statements[kind])}-{max(statements[kind])}"
        )
    by_mean = sorted(recorder.spent, key=lambda key: recorder.spent[key] / recorder.runs[key], reverse=True)
    for key in by_mean[: arguments.top]:
        print(f"  {recorder.spent[key] / recorder.runs[key] * 1e3:7.3f} ms x{recorder.runs[key]:<5d} {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
