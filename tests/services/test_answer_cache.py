"""The per-process answer cache: an answer is served only at the revision it was kept at, and the bytes
kept stay under the bound, the least recently used going first."""

from __future__ import annotations

from dataclasses import replace

from app.answer_cache import AnswerCache
from app.services.claim_filters import ClaimFilters, RelationFilters
from app.services.facets import _answer_key
from app.services.search.query import parse


def test_an_answer_is_served_only_at_its_revision() -> None:
    cache = AnswerCache(1000)
    cache.put("a", 5, b"five")
    assert cache.get("a", 5) == b"five"
    assert cache.get("a", 6) is None  # a write moved the revision on
    assert cache.get("b", 6) is None


def test_the_bytes_kept_stay_under_the_bound_least_recently_used_first() -> None:
    cache = AnswerCache(10)
    cache.put("a", 1, b"aaaa")
    cache.put("b", 1, b"bbbb")
    assert cache.get("a", 1) == b"aaaa"  # "b" is now the least recently used
    cache.put("c", 1, b"cccc")
    assert cache.size == (2, 8)
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) == b"aaaa"
    assert cache.get("c", 1) == b"cccc"


def test_an_answer_larger_than_the_cache_is_not_kept() -> None:
    cache = AnswerCache(3)
    cache.put("a", 1, b"four")
    assert cache.size == (0, 0)
    assert AnswerCache(0).get("a", 1) is None


def test_an_answer_replaced_counts_its_bytes_once() -> None:
    cache = AnswerCache(100)
    cache.put("a", 1, b"x" * 40)
    cache.put("a", 2, b"y" * 30)
    assert cache.size == (1, 30)
    assert cache.get("a", 2) == b"y" * 30


def test_an_answer_counted_before_a_later_revision_was_seen_is_not_kept() -> None:
    cache = AnswerCache(100)
    assert cache.get("a", 7) is None  # a request saw revision 7
    cache.put("a", 6, b"old")  # a count that began at 6 ends afterwards
    assert cache.get("a", 6) is None
    assert cache.size == (0, 0)


def test_a_revision_going_back_empties_the_cache() -> None:
    # A database restored or replaced under the process: a later revision number may name other data.
    cache = AnswerCache(100)
    cache.put("a", 9, b"nine")
    cache.put("b", 9, b"nine")
    assert cache.get("b", 3) is None
    assert cache.size == (0, 0)
    cache.put("a", 9, b"other")  # not refused: 3 is the latest seen now
    assert cache.get("a", 9) == b"other"


def test_a_facets_answer_is_named_by_every_filter_by_value() -> None:
    """Equal filters built apart name one answer (no object address in the key); any field changed
    names another."""
    asked = ClaimFilters(
        themes=["a"], query=parse("mobile OR wallet"), related=RelationFilters(types=["supports"])
    )
    again = ClaimFilters(
        themes=["a"], query=parse("mobile OR wallet"), related=RelationFilters(types=["supports"])
    )
    assert _answer_key(asked, 50) == _answer_key(again, 50)
    assert " at 0x" not in _answer_key(asked, 50)
    others = [
        replace(asked, themes=["b"]),
        replace(asked, query=parse("mobile wallet")),
        replace(asked, related=RelationFilters(types=["contradicts"])),
        replace(asked, kinds=["fact"]),
        replace(asked, scope_entity="careem"),
    ]
    keys = {_answer_key(other, 50) for other in others} | {_answer_key(asked, 1000)}
    assert len(keys) == len(others) + 1
    assert _answer_key(asked, 50) not in keys
