"""Highlighted snippets: the matched words in <mark>, everything else HTML-escaped."""

from __future__ import annotations

import re
from html import escape

from app.services.search.analyzer import matching_spans
from app.services.search.query import Term

SNIPPET_LENGTH = 200
# What html.escape changes: a window without any of these is its own escape.
_ESCAPED = re.compile("[&<>\"']")


def _unchanged(text: str) -> str:
    return text


class Highlighter:
    """Marks one query's words in texts: built once a page, since its texts share the query's terms."""

    __slots__ = ("exact", "length", "needles", "prefixes")

    def __init__(self, wanted: list[Term], length: int = SNIPPET_LENGTH) -> None:
        self.exact = frozenset(term.text for term in wanted if not term.prefix)
        self.prefixes = tuple(term.text for term in wanted if term.prefix)
        self.needles = tuple({term.text[: max(1, len(term.text) - 2)] for term in wanted})
        self.length = length

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the query's words stand in `text` (start, end), in order."""
        if text.isascii():
            # English stemming rewrites at most a word's last two characters (dying -> die,
            # possibility -> possibl): a word whose term is, or starts with, a wanted one holds all but
            # the last two characters of it, case- and apostrophe-folded. A text holding none of those
            # has no match, found without analysing its words; most texts of a page are such.
            folded = text.lower()
            if "'" in folded:
                folded = folded.replace("'", "")
            if not any(needle in folded for needle in self.needles):
                return []
        return matching_spans(text, self.exact, self.prefixes)

    def __call__(self, text: str) -> tuple[str, int]:
        """A window of `text` around its first match, marked and escaped; and how many words matched."""
        spans = self.spans(text)
        return self.render(text, spans), len(spans)

    def render(self, text: str, spans: list[tuple[int, int]]) -> str:
        """A window of `text` around the first of its `spans`, those in it marked, the rest escaped."""
        length, size = self.length, len(text)
        start, end = 0, size
        if size > length:
            centre = spans[0][0] if spans else 0
            start = max(0, min(centre - length // 3, size - length))
            end = start + length
            # Do not cut a word in two at either edge.
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            while end < size and text[end].isalnum():
                end += 1
        # Most windows need no escaping: one search instead of html.escape's five replaces per piece.
        escaped = escape if _ESCAPED.search(text, start, end) else _unchanged
        parts: list[str] = ["…" if start > 0 else ""]
        cursor = start
        for span_start, span_end in spans:
            if span_start < start or span_end > end:
                continue
            parts += [
                escaped(text[cursor:span_start]),
                "<mark>",
                escaped(text[span_start:span_end]),
                "</mark>",
            ]
            cursor = span_end
        parts += [escaped(text[cursor:end]), "…" if end < size else ""]
        return "".join(parts)


def highlight(text: str, wanted: list[Term], length: int = SNIPPET_LENGTH) -> tuple[str, int]:
    """A window of `text` around its first match, marked and escaped; and how many words matched."""
    return Highlighter(wanted, length)(text)
