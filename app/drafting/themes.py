"""Theme proposal from the vocabulary of existing annotations.

Each annotated claim is one example: the stems of its quote and statement (the search analyzer's terms,
function words dropped), labelled with the claim's themes. A theme's name and description count as
`description_weight` more examples of it. For every theme and stem the model keeps the smoothed log-odds
of the stem appearing in that theme's examples against the other themes' examples (one theme against
the rest), so "freelanc" weighs for freelancing-exports and "pakistan", in nearly every claim, for none.

A sentence scores, for each theme, the sum of the positive weights of its distinct stems, divided by the
square root of their number, plus `heading_weight` times the score of the section heading above it.
The top theme is always proposed; others when they reach `relative` times the top score and `minimum`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.drafting.known import Example
from app.schemas.annotations import ThemeIn
from app.services.search.analyzer import term, tokens

_FUNCTION_WORDS = """
a an the and or nor but of to in on at by for from with as into onto over under about than then that this
these those it its is are was were be been being has have had do does did will would shall should can
could may might must not no so such also very more most many much further moreover furthermore
additionally which who whom whose what when where while there here their they them he she his her we our
us you your i me my one ones all any some each every other another both either neither only own same
just even still yet if because since though although despite through across include including includ
"""
STOP_TERMS = frozenset(term(word) for word in _FUNCTION_WORDS.split())


def stems(text: str) -> list[str]:
    """The analysed content terms of `text`, in order, function words left out."""
    return [t.term for t in tokens(text) if t.term not in STOP_TERMS and not t.term.isdigit()]


@dataclass(frozen=True)
class ThemeScore:
    """A theme's score for a sentence, and the stems that weighed most for it."""

    slug: str
    score: float
    evidence: tuple[str, ...]


class ThemeModel:
    """One-against-the-rest log-odds of each stem for each theme, learnt from annotated examples."""

    def __init__(
        self,
        themes: Sequence[ThemeIn],
        examples: Sequence[Example],
        *,
        prior: float = 0.5,
        description_weight: float = 2.0,
        heading_weight: float = 0.5,
        relative: float = 0.6,
        minimum: float = 1.0,
        max_themes: int = 3,
    ) -> None:
        self.themes = [t.slug for t in themes]
        self.heading_weight = heading_weight
        self.relative = relative
        self.minimum = minimum
        self.max_themes = max_themes
        known = set(self.themes)
        documents: list[tuple[frozenset[str], frozenset[str], float]] = [
            (frozenset(stems(f"{e.quote} {e.statement}")), frozenset(e.themes) & known, 1.0) for e in examples
        ]
        documents += [
            (frozenset(stems(f"{t.name} {t.description}")), frozenset({t.slug}), description_weight)
            for t in themes
        ]
        total_weight = sum(weight for _, _, weight in documents)
        everywhere: defaultdict[str, float] = defaultdict(float)
        for words, _, weight in documents:
            for word in words:
                everywhere[word] += weight
        self.weights: dict[str, dict[str, float]] = {}
        for slug in self.themes:
            inside: defaultdict[str, float] = defaultdict(float)
            size = 0.0
            for words, labels, weight in documents:
                if slug in labels:
                    size += weight
                    for word in words:
                        inside[word] += weight
            outside_size = total_weight - size
            table: dict[str, float] = {}
            for word, count in inside.items():
                outside = everywhere[word] - count
                odds_in = (count + prior) / (size - count + prior)
                odds_out = (outside + prior) / (outside_size - outside + prior)
                weight = math.log(odds_in / odds_out)
                if weight > 0:
                    table[word] = weight
            self.weights[slug] = table

    def _raw(self, text: str) -> dict[str, tuple[float, list[tuple[float, str]]]]:
        distinct = set(stems(text))
        if not distinct:
            return {slug: (0.0, []) for slug in self.themes}
        scale = math.sqrt(len(distinct))
        result: dict[str, tuple[float, list[tuple[float, str]]]] = {}
        for slug in self.themes:
            table = self.weights[slug]
            hits = sorted(((table[w], w) for w in distinct if w in table), reverse=True)
            result[slug] = (sum(weight for weight, _ in hits) / scale, hits)
        return result

    def scores(self, text: str, heading: str | None = None) -> list[ThemeScore]:
        """Every theme's score for `text` (under `heading`), best first."""
        own = self._raw(text)
        above = self._raw(heading) if heading else {}
        ranked = [
            ThemeScore(
                slug,
                own[slug][0] + self.heading_weight * (above[slug][0] if above else 0.0),
                tuple(word for _, word in own[slug][1][:4]),
            )
            for slug in self.themes
        ]
        return sorted(ranked, key=lambda s: (-s.score, self.themes.index(s.slug)))

    def propose(self, text: str, heading: str | None = None) -> list[ThemeScore]:
        """The top theme, and up to `max_themes` in all that reach `relative` x top and `minimum`."""
        ranked = self.scores(text, heading)
        if not ranked:
            return []
        top = ranked[0]
        chosen = [top]
        for candidate in ranked[1 : self.max_themes]:
            if candidate.score >= max(self.minimum, self.relative * top.score):
                chosen.append(candidate)
        return chosen
