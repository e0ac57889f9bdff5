"""Highlighting finds its words without building a token for every word (analyzer.matching_spans): the
same places as filtering every token of the text, on the whole source article."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.search.analyzer import matching_spans, tokens

ARTICLE = (Path(__file__).resolve().parents[2] / "seed" / "pakistan-it-sector.txt").read_text()


def test_matching_spans_are_the_filtered_tokens_of_the_article() -> None:
    every = tokens(ARTICLE)
    words = sorted({token.term for token in every})
    assert len(words) > 200
    for exact in (words[::7], words[3::11], ["freelanc", "pakistan", "it"]):
        wanted = frozenset(exact)
        expected = [(token.start, token.end) for token in every if token.term in wanted]
        assert matching_spans(ARTICLE, wanted) == expected
        assert expected
    prefixes = ("fin", "tech", "e")
    expected = [(token.start, token.end) for token in every if token.term.startswith(prefixes)]
    assert matching_spans(ARTICLE, frozenset(), prefixes) == expected
    assert expected


# Words whose analysis rewrites more than an ending, or whose first character is not plain ASCII.
TRICKY = ["dying", "Lying", "skis", "idly", "early", "Yelling", "yyy", "Éclair", "über", "İstanbul", "ǅemal"]
WORDS = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))


@given(st.lists(WORDS, min_size=1, max_size=30), st.data())
@settings(max_examples=300, deadline=None)
def test_matching_spans_are_the_filtered_tokens_of_any_text(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    every = tokens(text)
    terms = sorted({token.term for token in every})
    wanted = frozenset(data.draw(st.lists(st.sampled_from(terms), max_size=4)) if terms else [])
    assert matching_spans(text, wanted) == [(t.start, t.end) for t in every if t.term in wanted]
    prefixes = tuple(term[:2] for term in wanted)
    expected = [(t.start, t.end) for t in every if prefixes and t.term.startswith(prefixes)]
    assert matching_spans(text, frozenset(), prefixes) == expected
