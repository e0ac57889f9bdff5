"""How long a thread may keep the interpreter while another waits for it.

A served process has one busy thread, the event loop, and the worker threads that writes (and slow reads)
run in. A worker's statement waits on the database with the interpreter released; to go on, it needs the
interpreter back from the loop, which keeps it until it blocks or until the switch interval has passed
with another thread asking. At CPython's 5 ms, a write of a dozen statements beside a busy loop spent
much of its time, with PostgreSQL's change-log lock held, waiting for its turn (docs/performance.md,
"Writes").
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Threads take turns with the interpreter at most `seconds` apart while the block runs; the interval
    set before is restored after it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)
