"""Deterministic synthetic corpora with realistic skew, generated in batches (constant memory).

Themes, entities and words are drawn from Zipf distributions: a few are everywhere, most are rare, as in
real annotation sets. Each claim has 1-3 themes and 0-4 entities; its quote is a real slice of its
document's text (document.text[span_start:span_end] == quote), as the service promises.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from app.services.keys import lookup_key

ARTICLE = Path(__file__).resolve().parent.parent / "seed" / "pakistan-it-sector.txt"
SEED = 20261127
VOCABULARY = 20_000
KINDS = ("fact", "opinion", "prediction", "recommendation")
KIND_WEIGHTS = (50, 30, 10, 10)
ENTITY_TYPES = ("company", "country", "government", "group", "industry", "facility")
# Made-up words are built from these syllables.
SYLLABLES: tuple[str, ...] = (
    "ka",
    "ra",
    "ta",
    "na",
    "ma",
    "sa",
    "la",
    "da",
    "pa",
    "ba",
    "ga",
    "ha",
    "za",
    "ya",
    "wa",
)
SYLLABLES += ("ri", "ti", "ni", "mi", "si", "li", "di", "pi", "bi", "gi", "ro", "to", "no", "mo", "so", "lo")


def zipf_cumulative(count: int, exponent: float = 1.07) -> list[float]:
    """Cumulative weights of ranks 1..count under Zipf's law (for random.choices)."""
    return list(itertools.accumulate(1.0 / rank**exponent for rank in range(1, count + 1)))


def _vocabulary(rng: random.Random) -> list[str]:
    """Words by rank: the article's own words first (by frequency), then made-up ones."""
    counts: dict[str, int] = {}
    for word in re.findall(r"[A-Za-z]+", ARTICLE.read_text(encoding="utf-8")):
        counts[word.lower()] = counts.get(word.lower(), 0) + 1
    words = sorted(counts, key=lambda word: (-counts[word], word))
    seen = set(words)
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


@dataclass(frozen=True)
class Shape:
    """How many of each thing a corpus of `claims` claims has."""

    claims: int

    @property
    def themes(self) -> int:
        return 11 if self.claims < 10_000 else min(100, max(11, int(self.claims**0.5 / 8)))

    @property
    def entities(self) -> int:
        return max(21, min(50_000, self.claims // 20))

    @property
    def documents(self) -> int:
        return max(1, self.claims // 500)


@dataclass(frozen=True)
class Corpus:
    """A corpus definition; rows are generated on demand, identically on every run."""

    size: int

    @cached_property
    def shape(self) -> Shape:
        return Shape(self.size)

    @cached_property
    def words(self) -> list[str]:
        return _vocabulary(random.Random(SEED))

    def theme_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": index + 1,
                "slug": f"theme-{index + 1:03d}",
                "name": f"Theme {index + 1} {self.words[index].capitalize()}",
                "description": f"Claims about {self.words[index]} and {self.words[index + 1]}.",
                "position": index,
            }
            for index in range(self.shape.themes)
        ]

    def entity_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Entities and their aliases (about half have one or two)."""
        rng = random.Random(SEED + 1)
        entities: list[dict[str, Any]] = []
        aliases: list[dict[str, Any]] = []
        for index in range(self.shape.entities):
            name = f"{self.words[index % 500].capitalize()} {self.words[500 + index // 500]} {index + 1}"
            entities.append(
                {
                    "id": index + 1,
                    "slug": f"entity-{index + 1:05d}",
                    "name": name,
                    "name_key": lookup_key(name),
                    "type": ENTITY_TYPES[index % len(ENTITY_TYPES)],
                    "description": f"{name}, an organisation about {self.words[rng.randrange(2000)]}.",
                    "external_ids": {},
                }
            )
            for position in range(rng.choice((0, 0, 1, 2))):
                alias = f"{name.split()[0]}{index + 1}-alias{position + 1}"
                aliases.append(
                    {
                        "entity_id": index + 1,
                        "alias": alias,
                        "alias_key": lookup_key(alias),
                        "position": position,
                    }
                )
        return entities, aliases

    def claims_per_document(self) -> list[int]:
        base, extra = divmod(self.size, self.shape.documents)
        return [base + (1 if index < extra else 0) for index in range(self.shape.documents)]

    def batches(self, batch: int = 20_000) -> Iterator[dict[str, list[dict[str, Any]]]]:
        """Documents with their claims, links and notes, in batches of about `batch` claims."""
        rng = random.Random(SEED + 2)
        word_weights = zipf_cumulative(len(self.words))
        theme_weights = zipf_cumulative(self.shape.themes, 1.1)
        entity_weights = zipf_cumulative(self.shape.entities, 1.05)
        themes = range(1, self.shape.themes + 1)
        entities = range(1, self.shape.entities + 1)
        pending: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("document", "claim", "claim_theme", "claim_entity", "context_note")
        }
        number = 0
        for doc_index, count in enumerate(self.claims_per_document()):
            document_id = f"doc-{doc_index + 1:05d}"
            parts: list[str] = []
            offset = 0
            for _ in range(count):
                number += 1
                claim_id = f"syn-{number:07d}"
                quote_words = rng.choices(self.words, cum_weights=word_weights, k=rng.randint(6, 18))
                quote = " ".join(quote_words).capitalize()
                statement_words = rng.choices(self.words, cum_weights=word_weights, k=rng.randint(8, 20))
                statement = " ".join([*quote_words[:4], *statement_words]).capitalize() + "."
                parts.append(quote)
                pending["claim"].append(
                    {
                        "id": claim_id,
                        "document_id": document_id,
                        "statement": statement,
                        "quote": quote,
                        "span_start": offset,
                        "span_end": offset + len(quote),
                        "kind": rng.choices(KINDS, weights=KIND_WEIGHTS)[0],
                    }
                )
                offset += len(quote) + 2
                picked = set(rng.choices(themes, cum_weights=theme_weights, k=rng.randint(1, 3)))
                pending["claim_theme"] += [{"claim_id": claim_id, "theme_id": t} for t in sorted(picked)]
                named = set(rng.choices(entities, cum_weights=entity_weights, k=rng.randint(0, 4)))
                pending["claim_entity"] += [{"claim_id": claim_id, "entity_id": e} for e in sorted(named)]
                if rng.random() < 0.05:
                    pending["context_note"].append(
                        {
                            "claim_id": claim_id,
                            "position": 0,
                            "note": "Other sources add: " + " ".join(rng.choices(self.words[:3000], k=25)),
                            "sources": [
                                {
                                    "title": f"Report {number}",
                                    "publisher": "Synthetic Wire",
                                    "url": None,
                                    "date": "2024-01-01",
                                }
                            ],
                        }
                    )
            text = ". ".join(parts) + "."
            pending["document"].append(
                {
                    "id": document_id,
                    "title": f"Synthetic source {doc_index + 1}",
                    "text": text,
                    "sha256": "0" * 64,
                    "language": "en",
                    "publisher": "Synthetic Wire",
                    "url": None,
                    "published_date": None,
                    "retrieved_date": None,
                },
            )
            if len(pending["claim"]) >= batch:
                yield pending
                pending = {name: [] for name in pending}
        if pending["claim"]:
            yield pending
