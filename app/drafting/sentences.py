"""Sentence splitting with exact code-point spans into the original text.

The text is cut into paragraphs (blocks of non-blank lines). A one-line block without terminal punctuation
is a heading. Inside a paragraph a sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or
brackets) followed by whitespace and a capital, digit, quote or bracket, except after an abbreviation
("e.g.", "Dr.", "No.", single initials) and, for "U.S."-style acronyms and "etc.", unless the next word is
one that usually starts a sentence. Decimals ("1.5") never break: no whitespace follows their point.

Two repairs for real-world text:
  - the page title, when the first sentence recurs later (a repeated title line) or is title-cased, is
    marked `title` wherever it occurs, and is not a claim;
  - a "sentence" starting with "And"/"Or"/"Nor" or a bare auxiliary ("Have expanded …") after a full stop
    is a sentence broken by a stray full stop, and is joined to the one before it (noted in `note`).
Participle phrases without a finite verb ("Showcasing impressive growth.") are kept but flagged `fragment`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["body", "heading", "title"]


def word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of a word list."""
    return frozenset(words.split())


_BLOCK = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_LINE = re.compile(r"[^\n]+")
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"(?:[.!?\u2026]+)[\"'\u201d\u2019)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"[\"'\u201c\u2018(\[]*([^\s\"'\u201c\u2018(\[]*)")
_TERMINAL = re.compile(r"[.!?\u2026:;][\"'\u201d\u2019)\]]*\s*$")
_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")

# Abbreviations after which a sentence never ends (titles, "for example", units, months before a number).
NEVER_FINAL = word_set(
    """
    dr mr mrs ms prof st sr jr mt ft hon rev gen col capt lt sgt gov sen rep pres
    e.g eg i.e ie cf vs viz approx appx est fig figs no nos vol vols pp ch art sec para ref dept
    rs re jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
# Abbreviations that may end a sentence: they do when the next word usually starts one.
MAYBE_FINAL = word_set("etc inc ltd co corp plc pvt llc bros u.s u.k u.n u.a.e e.u a.m p.m a.d b.c")
SENTENCE_STARTERS = word_set(
    """
    the this that these those it its in on at as a an but however meanwhile moreover furthermore
    additionally also yet still we they he she there here his her their our such many some most
    while when after before since despite although though for with by from according today now
    """
)
CONTINUATIONS = word_set("and or nor")
AUXILIARIES = word_set("have has had")
FINITE_CUES = word_set(
    """
    is are was were be been am has have had will would shall should can could may might must do does did
    need needs remain remains become becomes looks look seems seem continues continue
    """
)
NOT_PARTICIPLES = word_set(
    "during according notwithstanding nothing something everything anything king spring morning"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading) of a text: `text == source[start:end]`, offsets in code points."""

    start: int
    end: int
    text: str
    role: Role = "body"
    paragraph: int = 0
    section: str | None = None  # the heading the sentence stands under, if any
    fragment: bool = False  # a participle phrase without a finite verb
    notes: tuple[str, ...] = field(default_factory=tuple)


def _is_heading_line(line: str) -> bool:
    words = _WORDS.findall(line)
    return 0 < len(words) <= 15 and not _TERMINAL.search(line)


def _is_boundary(paragraph: str, punct_start: int, punct_end: int) -> bool:
    """Whether the punctuation at paragraph[punct_start:punct_end] ends a sentence."""
    rest = paragraph[punct_end:].lstrip()
    if not rest:
        return True
    following = _NEXT_WORD.match(rest)
    next_word = following.group(1) if following else ""
    first = rest[0]
    if not (first.isupper() or first.isdigit() or first in "\"'\u201c\u2018([") or (next_word[:1].islower()):
        return False
    if paragraph[punct_start] != ".":
        return True
    before = _WORD_BEFORE.search(paragraph[:punct_start])
    if before is None:
        return True
    word = before.group(1).lstrip("\"'\u201c\u2018([").casefold()
    if word in NEVER_FINAL:
        return False
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "J. Smith"
    if word in MAYBE_FINAL or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return next_word.casefold() in SENTENCE_STARTERS
    return True


def _split_paragraph(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in a paragraph, relative to it; ends include terminal punctuation."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if _is_boundary(paragraph, match.start(), match.end()):
            spans.append((start, match.end()))
            start = match.end()
    spans.append((start, len(paragraph)))
    trimmed: list[tuple[int, int]] = []
    for begin, end in spans:
        piece = paragraph[begin:end]
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        if stripped:
            trimmed.append((begin + lead, begin + lead + len(stripped)))
    return trimmed


def _first_word(text: str) -> str:
    match = _WORDS.search(text)
    return match.group().casefold() if match else ""


def _is_continuation(text: str) -> bool:
    word = _first_word(text)
    if word in CONTINUATIONS:
        return True
    return word in AUXILIARIES and not text.rstrip().endswith("?")


def _is_fragment(text: str) -> bool:
    """A participle phrase with no finite verb: "Showcasing impressive growth and fostering …"."""
    word = _first_word(text)
    if word in NOT_PARTICIPLES or not (word.endswith("ing") or word.endswith("ed")) or len(word) < 5:
        return False
    words = {w.casefold() for w in _WORDS.findall(text)}
    return not words & FINITE_CUES


def _is_title_cased(text: str) -> bool:
    words = _WORDS.findall(text)
    significant = [w for w in words if len(w) > 3]
    if len(words) > 15 or len(significant) < 3:
        return False
    capitalised = [w for w in significant if w[0].isupper()]
    return len(capitalised) / len(significant) >= 0.75


def split_sentences(text: str, *, join_broken: bool = True) -> list[Sentence]:
    """Every heading and sentence of `text`, in order, with exact spans and roles."""
    raw: list[Sentence] = []
    section: str | None = None
    for number, block in enumerate(_BLOCK.finditer(text)):
        lines = list(_LINE.finditer(block.group()))
        body_start = 0
        if _is_heading_line(lines[0].group()) and (len(lines) == 1 or _is_title_cased(lines[0].group())):
            line = lines[0]
            heading = line.group().strip()
            lead = len(line.group()) - len(line.group().lstrip())
            start = block.start() + line.start() + lead
            raw.append(Sentence(start, start + len(heading), heading, "heading", number, section))
            section = heading
            if len(lines) == 1:
                continue
            body_start = lines[1].start()
        offset = block.start() + body_start
        for begin, end in _split_paragraph(block.group()[body_start:]):
            sentence_text = text[offset + begin : offset + end]
            raw.append(Sentence(offset + begin, offset + end, sentence_text, "body", number, section))
    if join_broken:
        raw = _join_broken(text, raw)
    return _mark_title(_mark_fragments(raw))


def _join_broken(text: str, sentences: list[Sentence]) -> list[Sentence]:
    joined: list[Sentence] = []
    for sentence in sentences:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and sentence.role == "body"
            and previous.role == "body"
            and previous.paragraph == sentence.paragraph
            and previous.text.endswith(".")
            and _is_continuation(sentence.text)
        ):
            note = f"joined: {sentence.text.split()[0]!r} after a full stop continues the sentence before it"
            joined[-1] = Sentence(
                previous.start,
                sentence.end,
                text[previous.start : sentence.end],
                "body",
                previous.paragraph,
                previous.section,
                notes=(*previous.notes, note),
            )
        else:
            joined.append(sentence)
    return joined


def _mark_fragments(sentences: list[Sentence]) -> list[Sentence]:
    marked: list[Sentence] = []
    for sentence in sentences:
        if sentence.role == "body" and _is_fragment(sentence.text):
            note = "fragment: a participle phrase without a main verb; it belongs to a neighbouring sentence"
            sentence = Sentence(
                sentence.start,
                sentence.end,
                sentence.text,
                sentence.role,
                sentence.paragraph,
                sentence.section,
                fragment=True,
                notes=(*sentence.notes, note),
            )
        marked.append(sentence)
    return marked


def _title_key(text: str) -> str:
    return text.rstrip(".!?\u2026 ").casefold()


def _mark_title(sentences: list[Sentence]) -> list[Sentence]:
    """Mark the page title (first sentence or heading, if it recurs or is title-cased) wherever it occurs."""
    if not sentences:
        return sentences
    first = sentences[0]
    key = _title_key(first.text)
    repeats = sum(1 for s in sentences if _title_key(s.text) == key) > 1
    if not (first.role == "heading" or repeats or _is_title_cased(first.text)):
        return sentences
    marked: list[Sentence] = []
    for sentence in sentences:
        if _title_key(sentence.text) == key:
            sentence = Sentence(
                sentence.start,
                sentence.end,
                sentence.text,
                "title",
                sentence.paragraph,
                None,
                notes=("the page title",),
            )
        marked.append(sentence)
    return marked
