"""What startup built is frozen out of full garbage collections, once per process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app import heap


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(heap, "_frozen", False)
    yield
    gc.unfreeze()


def test_startup_objects_are_frozen_once(unfrozen: None) -> None:
    gc.unfreeze()
    built_at_startup = [object() for _ in range(3)]  # tracked only in a container: keep a list alive
    assert heap.freeze_startup_heap() is True
    frozen = gc.get_freeze_count()
    assert frozen > len(built_at_startup)
    later = [[index] for index in range(1000)]
    assert heap.freeze_startup_heap() is False  # a second app in the same process freezes nothing more
    # Not one more object frozen (a thread left by another test may free frozen ones meanwhile: fewer).
    assert gc.get_freeze_count() <= frozen
    assert later
