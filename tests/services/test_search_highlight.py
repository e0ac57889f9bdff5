"""Highlighting finds its words without building a token for every word (analyzer.matching_spans): the
same places as filtering every token of the text, on the whole source article."""

from __future__ import annotations

from pathlib import Path

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
