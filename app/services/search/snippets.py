"""Highlighted snippets: the matched words in <mark>, everything else HTML-escaped."""

from __future__ import annotations

import re
from html import escape

from app.services.search.analyzer import matching_spans, term
from app.services.search.query import Term

SNIPPET_LENGTH = 200
# What html.escape changes: a window without any of these is its own escape.
_ESCAPED = re.compile("[&<>\"']")
_ALNUM = re.compile("[a-z0-9]+")


def _needs_escaping(text: str) -> bool:
    """Whether html.escape would change `text`: five substring scans in C cost less than one scan by a
    regular expression."""
    return "&" in text or "<" in text or ">" in text or '"' in text or "'" in text


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
        if not text.isascii():
            return matching_spans(text, self.exact, self.prefixes)
        # English stemming rewrites at most a word's last two characters (dying -> die, possibility ->
        # possibl): a word whose term is, or starts with, a wanted one begins with all but the last two
        # characters of it, case- and apostrophe-folded (a needle). Only words beginning with a needle are
        # analysed, and a text holding no needle not at all: most words, and most texts, are neither.
        folded = text.lower()
        if "'" in folded:
            # An apostrophe inside a word is dropped by folding: the needles are looked for without them.
            if not any(needle in folded.replace("'", "") for needle in self.needles):
                return []
            return matching_spans(text, self.exact, self.prefixes)
        starts: list[int] = []
        for needle in self.needles:
            at = folded.find(needle)
            while at >= 0:
                if at == 0 or not folded[at - 1].isalnum():
                    starts.append(at)
                at = folded.find(needle, at + 1)
        if len(self.needles) > 1:
            starts = sorted(set(starts))
        spans: list[tuple[int, int]] = []
        for start in starts:
            # Without apostrophes, a plain ASCII word is a run of letters and digits, as `_WORD` reads it.
            end = _ALNUM.match(folded, start).end()  # type: ignore[union-attr]  # a needle is alphanumeric
            found = term(text[start:end])
            if found in self.exact or (self.prefixes and found.startswith(self.prefixes)):
                spans.append((start, end))
        return spans

    def __call__(self, text: str) -> tuple[str, int]:
        """A window of `text` around its first match, marked and escaped; and how many words matched."""
        spans = self.spans(text)
        return self.render(text, spans), len(spans)

    def render(self, text: str, spans: list[tuple[int, int]]) -> str:
        """A window of `text` around the first of its `spans`, those in it marked, the rest escaped."""
        length, size = self.length, len(text)
        if size <= length and not _needs_escaping(text):
            # The whole text, with nothing to escape (most texts): only the marks to put in.
            pieces: list[str] = []
            cursor = 0
            for span_start, span_end in spans:
                pieces += [text[cursor:span_start], "<mark>", text[span_start:span_end], "</mark>"]
                cursor = span_end
            pieces.append(text[cursor:])
            return "".join(pieces)
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
