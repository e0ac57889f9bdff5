"""The garbage collector and a long-running server: what startup built is never garbage, so full
collections should not scan it.

A full collection walks every tracked object, and after startup most of them are SQLAlchemy's and
pydantic's structures, the OpenAPI schema and the route table; the event loop answers nothing meanwhile.
Requests that allocate a lot (a facets answer holds thousands of values) set off a full collection every
few requests, so freezing what startup built makes them markedly cheaper (docs/performance.md).
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> bool:
    """Collect, then freeze every object alive now, once per process; True when this call did it."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()  # so that no garbage is frozen with the rest
    gc.freeze()
    return True
