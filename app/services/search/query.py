"""Reads what a user types into a search box, safely, and renders it for each engine.

Supported: words (all must match), "phrases", prefixes (fin*), AND, OR, NOT (upper case) and -word,
and parentheses. Anything else — unbalanced quotes or parentheses, lone operators, column syntax,
punctuation — is read as plain words. User text never reaches an engine's query parser: only
analysed terms (letters and digits) are written into the engine's syntax, each one quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.services.search.analyzer import fold, tokens

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32


class QueryError(ValueError):
    """The query has nothing to search for (no words, or only negated ones)."""


@dataclass(frozen=True)
class Term:
    """One analysed term; `prefix` matches every term that starts with it."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Terms that must appear next to each other, in order."""

    terms: tuple[str, ...]


@dataclass(frozen=True)
class And:
    """Every `must` matches and no `must_not` does."""

    must: tuple[Node, ...]
    must_not: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Or:
    """At least one option matches."""

    options: tuple[Node, ...]


Node = Term | Phrase | And | Or

_LEXEME = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+|"')


def _word_node(raw: str) -> Node | None:
    """A bare word: 'fin*' is a prefix; 'e-commerce' is the phrase 'e commerce'; '😀' is nothing."""
    prefix = raw.endswith("*")
    found = tokens(raw.rstrip("*"))
    if not found:
        return None
    if prefix and len(found) == 1:
        # Prefixes are folded but not stemmed: 'freelanc*' must stay 'freelanc', 'finance*' 'finance'.
        return Term(fold(raw[found[0].start : found[0].end]), prefix=True)
    if len(found) == 1:
        return Term(found[0].term)
    return Phrase(tuple(token.term for token in found))


class _Parser:
    def __init__(self, lexemes: list[str]) -> None:
        self.lexemes = lexemes
        self.at = 0

    def peek(self) -> str | None:
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self) -> str:
        self.at += 1
        return self.lexemes[self.at - 1]

    def parse_or(self) -> Node | None:
        options = [node] if (node := self.parse_and()) else []
        while self.peek() == "OR":
            self.take()
            if node := self.parse_and():
                options.append(node)
        return None if not options else options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self) -> Node | None:
        must: list[Node] = []
        must_not: list[Node] = []
        while (lexeme := self.peek()) is not None and lexeme not in {"OR", ")"}:
            if lexeme == "AND":
                self.take()
                continue
            negated = lexeme == "NOT" or (lexeme.startswith("-") and len(lexeme) > 1)
            if lexeme == "NOT":
                self.take()
                if self.peek() in {None, "OR", ")"}:
                    continue
            elif negated:
                self.lexemes[self.at] = lexeme[1:]
            if (node := self.parse_unary()) is not None:
                (must_not if negated else must).append(node)
        if not must and not must_not:
            return None
        if not must_not and len(must) == 1:
            return must[0]
        return And(tuple(must), tuple(must_not))

    def parse_unary(self) -> Node | None:
        lexeme = self.take()
        if lexeme == "(":
            inner = self.parse_or()
            if self.peek() == ")":
                self.take()
            return inner
        if lexeme == ")":
            return None
        if lexeme.startswith('"') and lexeme.endswith('"') and len(lexeme) > 1:
            found = tokens(lexeme[1:-1])
            if not found:
                return None
            words = tuple(token.term for token in found)
            return Phrase(words) if len(words) > 1 else Term(words[0])
        return _word_node(lexeme)


# A parsed query is immutable, and the same few queries come again and again: each is read once.
@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """The query a user typed, as a tree of analysed terms; raises QueryError if nothing is searchable."""
    lexemes = _LEXEME.findall(text[:MAX_QUERY_LENGTH])
    if lexemes.count("(") != lexemes.count(")") or lexemes.count('"') % 2:
        # Unbalanced: read every word plainly.
        lexemes = [lexeme for lexeme in lexemes if lexeme not in {"(", ")", '"'}]
    parser = _Parser([lexeme.strip('"') if lexeme.count('"') == 1 else lexeme for lexeme in lexemes])
    node = parser.parse_or()
    while parser.peek() is not None:  # a stray ')' ends parse_or early: keep reading the rest
        parser.take()
        if (rest := parser.parse_or()) is not None:
            node = rest if node is None else And((node, rest))
    if node is None:
        raise QueryError("The query has no words to search for.")
    _check(node)
    return node


def _check(node: Node) -> None:
    count = _count_terms(node)
    if count > MAX_TERMS:
        raise QueryError(f"The query has {count} terms; at most {MAX_TERMS} are allowed.")
    if isinstance(node, And):
        if not node.must:
            raise QueryError("A query needs at least one word that is not negated (NOT / -word).")
        for child in (*node.must, *node.must_not):
            _check(child)
    elif isinstance(node, Or):
        for child in node.options:
            _check(child)


def _count_terms(node: Node) -> int:
    if isinstance(node, Term):
        return 1
    if isinstance(node, Phrase):
        return len(node.terms)
    children = node.options if isinstance(node, Or) else (*node.must, *node.must_not)
    return sum(_count_terms(child) for child in children)


def positive_terms(node: Node) -> list[Term]:
    """The terms a hit may contain (for highlighting); negated ones are left out."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Phrase):
        return [Term(text) for text in node.terms]
    children = node.options if isinstance(node, Or) else node.must
    return [term for child in children for term in positive_terms(child)]


def to_fts5(node: Node) -> str:
    """SQLite FTS5 MATCH syntax; every term is a quoted string of letters and digits."""
    if isinstance(node, Term):
        return f'"{node.text}"' + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return '"' + " ".join(node.terms) + '"'
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(option) for option in node.options) + ")"
    positive = "(" + " AND ".join(to_fts5(child) for child in node.must) + ")"
    if not node.must_not:
        return positive
    return f"({positive} NOT ({' OR '.join(to_fts5(child) for child in node.must_not)}))"


def to_tsquery(node: Node) -> str:
    """PostgreSQL to_tsquery('simple', …) syntax; every lexeme is quoted."""
    if isinstance(node, Term):
        return f"'{node.text}'" + (":*" if node.prefix else "")
    if isinstance(node, Phrase):
        return "(" + " <-> ".join(f"'{text}'" for text in node.terms) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(option) for option in node.options) + ")"
    positive = "(" + " & ".join(to_tsquery(child) for child in node.must) + ")"
    if not node.must_not:
        return positive
    return f"({positive} & !({' | '.join(to_tsquery(child) for child in node.must_not)}))"
