"""Quote selectors and exact re-anchoring (app/services/anchoring.py): once, or not at all."""

from __future__ import annotations

from types import SimpleNamespace

from app.services.anchoring import CONTEXT, QuoteSelector, find_anchor, place_claims, quote_selector

TEXT = "Alpha beta gamma. " * 2 + "The quoted words stand here. " + "Delta epsilon zeta. " * 3


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_the_selector_takes_a_fixed_context_fewer_at_the_ends() -> None:
    start, end = _span(TEXT, "quoted words")
    selector = quote_selector(TEXT, start, end)
    assert selector.exact == "quoted words"
    assert selector.prefix == TEXT[start - CONTEXT : start]
    assert selector.suffix == TEXT[end : end + CONTEXT]
    assert len(selector.prefix) == len(selector.suffix) == CONTEXT
    first = quote_selector(TEXT, 0, 5)
    assert first.prefix == ""
    last = quote_selector(TEXT, len(TEXT) - 5, len(TEXT))
    assert last.suffix == ""
    assert TEXT.count(selector.context) == 1


def test_a_context_found_once_moves_the_span() -> None:
    selector = quote_selector(TEXT, *_span(TEXT, "quoted words"))
    edited = "A new opening sentence. " + TEXT
    start, end = find_anchor(edited, selector) or (0, 0)
    assert edited[start:end] == "quoted words"
    assert start == _span(TEXT, "quoted words")[0] + len("A new opening sentence. ")


def test_nothing_similar_is_ever_matched() -> None:
    selector = quote_selector(TEXT, *_span(TEXT, "quoted words"))
    assert find_anchor(TEXT.replace("quoted words", "quoted word"), selector) is None
    assert find_anchor(TEXT.replace("stand here", "stand there"), selector) is None  # its suffix changed
    assert find_anchor(TEXT.replace("quoted words", "Quoted words"), selector) is None
    assert find_anchor("", selector) is None


def test_a_context_found_twice_is_ambiguous_overlapping_or_not() -> None:
    selector = quote_selector(TEXT, *_span(TEXT, "quoted words"))
    assert find_anchor(TEXT + selector.context, selector) is None
    overlapping = QuoteSelector("a", "ba", "b")  # "abab" occurs twice in "ababab", overlapping
    assert find_anchor("ababab", overlapping) is None
    assert find_anchor("abab", overlapping) == (1, 3)


def test_claims_are_placed_by_the_version_they_are_anchored_in() -> None:
    old_start, old_end = _span(TEXT, "quoted words")
    last = TEXT.rindex("Delta epsilon")
    gamma = (last, last + len("Delta epsilon"))
    claims = [
        SimpleNamespace(id="kept", document_id="d", anchor_version=1, span_start=old_start, span_end=old_end),
        SimpleNamespace(id="gone", document_id="d", anchor_version=1, span_start=gamma[0], span_end=gamma[1]),
    ]
    new = "Preface. " + TEXT[:last] + "Delta Epsilon" + TEXT[gamma[1] :]
    placed = {p.claim_id: p.span for p in place_claims({("d", 1): TEXT}, claims, new)}
    assert placed["kept"] == (old_start + len("Preface. "), old_end + len("Preface. "))
    assert placed["gone"] is None
