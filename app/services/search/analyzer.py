"""Text analysis shared by indexing, querying and highlighting.

Stemming happens here, not in the engine: FTS5's porter tokenizer and PostgreSQL's english
configuration stem and stop words differently, and the same query must find the same hits on both.
Each engine indexes the already-analysed terms with a plain tokenizer (FTS5 unicode61, PostgreSQL 'simple').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress
from typing import Any

import snowballstemmer

# Letters and digits (no underscore: PostgreSQL's parser splits on it), with apostrophes inside words.
_WORD = re.compile(r"[^\W_]+(?:['\u2019\u2018\u02bc][^\W_]+)*")
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc]")
MAX_TERM_LENGTH = 64
_GROUP = re.Match.group


@dataclass(frozen=True)
class Token:
    """A word of the original text: its analysed term and where it stands (code points, end exclusive)."""

    term: str
    start: int
    end: int


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def fold(word: str) -> str:
    """Case-, diacritic-, width- and apostrophe-insensitive form: "Pakistan\u2019s" -> "pakistans"."""
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _APOSTROPHES.sub("", bare).casefold()


# Word frequencies follow Zipf's law, so a bounded cache answers most words of a rebuild without the
# stemmer, which is pure Python and the slowest step of indexing a word.
@lru_cache(maxsize=65_536)
def term(word: str) -> str:
    """The indexed form of one word: folded, then stemmed ("Freelancers" -> "freelanc")."""
    folded = fold(word)
    return str(_stemmer().stemWord(folded))[:MAX_TERM_LENGTH] if folded.isalnum() else ""


def tokens(text: str) -> list[Token]:
    """Every word of `text` with its term and offsets; words that analyse to nothing are left out."""
    found: list[Token] = []
    for match in _WORD.finditer(text):
        if analysed := term(match.group()):
            found.append(Token(analysed, match.start(), match.end()))
    return found


def matching_spans(text: str, exact: frozenset[str], prefixes: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """Where in `text` the words whose term is in `exact` or starts with one of `prefixes` stand: what
    `tokens` finds, filtered, without building a Token for every word (highlighting reads many texts).
    With exact terms only, every word is looked up and filtered by `map` and `compress`, in C: no Python
    step word by word."""
    words = list(_WORD.finditer(text))
    analysed = map(term, map(_GROUP, words))
    if prefixes:
        return [
            word.span()
            for word, found in zip(words, analysed, strict=True)
            if found and (found in exact or found.startswith(prefixes))
        ]
    # An empty term is never in `exact`: no word that analyses to nothing is kept.
    return [word.span() for word in compress(words, map(exact.__contains__, analysed))]


def terms(text: str) -> str:
    """The analysed terms of `text`, space-separated, as the engines index them."""
    return " ".join(token.term for token in tokens(text))
