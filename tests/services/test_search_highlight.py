"""Highlighting finds its words without building a token for every word (analyzer.matching_spans): the
same places as filtering every token of the text, on the whole source article."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.search.analyzer import Token, matching_spans, tokens
from app.services.search.query import Term
from app.services.search.snippets import Highlighter, highlight

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


def _analysed(words: list[str]) -> tuple[str, list[Token], list[str]]:
    """The words as one text, its tokens and their distinct terms."""
    text = " ".join(words)
    every = tokens(text)
    return text, every, sorted({token.term for token in every})


SPECIAL = st.sampled_from(["<b>", "a&b", "O'Brien", '"quoted"', "&amp;", "x<y>z", "fin", "tech"])


@given(st.lists(st.one_of(WORDS, SPECIAL), min_size=1, max_size=60), st.data())
@settings(max_examples=300, deadline=None)
def test_a_snippet_is_a_window_of_the_text_escaped_with_its_matches_marked(
    words: list[str], data: st.DataObject
) -> None:
    text, every, terms = _analysed(words)
    wanted = (
        [Term(text=term, prefix=False) for term in data.draw(st.lists(st.sampled_from(terms), max_size=3))]
        if terms
        else []
    )
    snippet, matched = highlight(text, wanted)
    assert matched == sum(token.term in {w.text for w in wanted} for token in every)
    marked = re.findall(r"<mark>(.*?)</mark>", snippet)
    assert all(tokens(html.unescape(piece))[0].term in {w.text for w in wanted} for piece in marked)
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    window = plain.removeprefix("…").removesuffix("…") if plain != "…" else plain
    assert html.escape(html.unescape(window)) == window  # every special character escaped, once
    assert html.unescape(window) in text


# ASCII words stemming rewrites the end of, in every case and with apostrophes: highlighting skips a plain
# ASCII text that holds no wanted term but its last two characters (Highlighter.spans).
ENDINGS = [
    "ational",
    "ization",
    "biliti",
    "bility",
    "ies",
    "ied",
    "ying",
    "ing",
    "edly",
    "ably",
    "y",
    "'s",
    "ly",
]
ASCII_WORDS = st.one_of(
    st.sampled_from([*TRICKY[:7], "tying", "possibility", "Happy", "O'Brien", "news", "skies"]),
    st.builds(
        lambda stem, ending, upper: (stem + ending).upper() if upper else stem + ending,
        st.text("abcdeilnorstuy'_0-", min_size=1, max_size=7),
        st.sampled_from(ENDINGS),
        st.booleans(),
    ),
)


@given(st.lists(ASCII_WORDS, min_size=1, max_size=20), st.data())
@settings(max_examples=500, deadline=None)
def test_a_highlighters_spans_are_the_filtered_tokens_of_an_ascii_text(
    words: list[str], data: st.DataObject
) -> None:
    text, every, terms = _analysed(words)
    terms = sorted({*terms, "dy", "happi", "possibl"})
    wanted = data.draw(st.lists(st.sampled_from(terms), min_size=1, max_size=3))
    cut = data.draw(st.integers(1, 8))
    exact = Highlighter([Term(text=term) for term in wanted])
    assert exact.spans(text) == [(t.start, t.end) for t in every if t.term in wanted]
    prefixes = tuple(term[:cut] for term in wanted)
    by_prefix = Highlighter([Term(text=prefix, prefix=True) for prefix in prefixes])
    assert by_prefix.spans(text) == [(t.start, t.end) for t in every if t.term.startswith(prefixes)]
