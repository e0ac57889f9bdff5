"""A large annotation file in the seed's format (sectorfacts-annotations/2) for timing `sectorfacts ingest`.

One new held document whose text is its claims' quotes, one after another, each claim quoting its own
slice (text[start:end] == quote); themes and entities are the corpus' own (as the database has them), so
the file adds one document and its claims and nothing else.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import yaml

from bench.corpus import KINDS, Corpus

ENTITIES = 30


def _entities(corpus: Corpus) -> list[dict[str, Any]]:
    """The corpus' first ENTITIES entities with their aliases, as the annotation format lists them."""
    rows, aliases = corpus.entity_rows()
    listed = []
    for row in rows[:ENTITIES]:
        own = sorted((a for a in aliases if a["entity_id"] == row["id"]), key=lambda a: a["position"])
        listed.append(
            {
                "slug": row["slug"],
                "name": row["name"],
                "type": row["type"],
                "description": row["description"],
                "aliases": [alias["alias"] for alias in own],
                "external_ids": {},
            }
        )
    return listed


def write_ingest_file(folder: Path, corpus: Corpus, claims: int, name: str = "bench-ingest") -> Path:
    """Write `name`.yaml and its text file into `folder`: one document with `claims` claims; its path."""
    rng = random.Random(claims)
    words = corpus.words[:5000]
    themes = [{k: row[k] for k in ("slug", "name", "description")} for row in corpus.theme_rows()]
    entities = _entities(corpus)
    quotes: list[str] = []
    listed: list[dict[str, Any]] = []
    offset = 0
    for number in range(1, claims + 1):
        quote = " ".join(rng.choices(words, k=rng.randint(5, 10))).capitalize()
        quotes.append(quote)
        listed.append(
            {
                "id": f"{name}-{number:05d}",
                "document": name,
                "statement": f"{quote}, as the benchmark's document {number} says.",
                "quote": quote,
                "span": {"start": offset, "end": offset + len(quote)},
                "kind": rng.choice(KINDS),
                "themes": sorted({theme["slug"] for theme in rng.sample(themes, k=rng.randint(1, 3))}),
                "entities": sorted({entity["slug"] for entity in rng.sample(entities, k=rng.randint(0, 3))}),
            }
        )
        offset += len(quote) + 2
    text = ". ".join(quotes) + "."
    text_file = folder / f"{name}.txt"
    text_file.write_bytes(text.encode("utf-8"))
    document = {
        "id": name,
        "title": f"Benchmark document of {claims:,} claims",
        "text_file": text_file.name,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "language": "en",
        "publisher": None,
        "url": None,
        "published_date": None,
        "retrieved_date": None,
    }
    annotations = {
        "format": "sectorfacts-annotations/2",
        "documents": [document],
        "themes": themes,
        "entities": entities,
        "claims": listed,
    }
    path = folder / f"{name}.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(annotations, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path
