"""Answers a process keeps for as long as the data they were computed from stay the same.

An answer is kept with the data revision it was computed at (`data_revision`, moved on by triggers at
every write, migration 0017) and served only while the database's revision is still that one. Each
process keeps its own (several workers each compute an answer once per revision); the bytes kept are
bounded, the least recently used answers going first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class AnswerCache:
    """Rendered answers by request key, each valid at one data revision; at most `max_bytes` kept."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._latest = -1  # the highest revision seen
        # Answers are kept from worker threads and read on the event loop.
        self._lock = threading.Lock()

    def get(self, key: str, revision: int) -> bytes | None:
        """The answer kept for `key` at `revision`, else None."""
        with self._lock:
            self._saw(revision)
            kept = self._answers.get(key)
            if kept is None or kept[0] != revision:
                return None
            self._answers.move_to_end(key)
            return kept[1]

    def put(self, key: str, revision: int, answer: bytes) -> None:
        """Keep `answer` for `key` at `revision` (not one larger than the whole cache, nor an older one)."""
        with self._lock:
            # Computed before a later revision was seen: already out of date.
            if len(answer) > self.max_bytes or revision < self._latest:
                return
            self._latest = revision
            self._drop(key)
            self._answers[key] = (revision, answer)
            self._bytes += len(answer)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._answers)))

    @property
    def size(self) -> tuple[int, int]:
        """Answers kept and their bytes."""
        with self._lock:
            return len(self._answers), self._bytes

    def _saw(self, revision: int) -> None:
        """Note a revision read from the database: one lower than seen before means the data went back
        (a database restored or replaced under the process), so nothing kept may be served again. (Two
        reads racing may also see it; emptying the cache then only costs computing its answers again.)"""
        if revision < self._latest:
            self._answers.clear()
            self._bytes = 0
        self._latest = revision

    def _drop(self, key: str) -> None:
        kept = self._answers.pop(key, None)
        if kept is not None:
            self._bytes -= len(kept[1])
