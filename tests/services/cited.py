"""The seed with more cited documents, paraphrase claims and relations (format /2), for tests.

The seed's own Gulf News record and its Dubai-based claim stand for a real cited source; the `example-…`
and `sample-…` documents are test fixtures, not real publications: two of Example Press (one publisher,
two documents: one independent source) and one of Sample Wire.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.services.seedfiles import Raw, write_seed

DUBAI_SOURCE = "gulf-news-2019-uber-careem-innovation-in-dubai"  # in the seed
DUBAI_BASED = "careem-based-in-dubai-gulf-news-2019"  # in the seed
HOMEGROWN = "pkit-038"
SUCCESS = "pkit-037"


def _document(document_id: str, title: str, publisher: str, url: str | None, date: str | None) -> Raw:
    return {
        "id": document_id,
        "title": title,
        "publisher": publisher,
        "url": url,
        "published_date": date,
        "retrieved_date": None,
        "language": "en",
    }


def _claim(claim_id: str, document: str, statement: str, kind: str = "fact") -> Raw:
    return {
        "id": claim_id,
        "document": document,
        "statement": statement,
        "kind": kind,
        "themes": ["startups-entrepreneurship"],
        "entities": ["careem"],
        "context": [],
    }


DOCUMENTS = [
    _document("example-press-one", "Test fixture one", "Example Press", "https://example.org/one", "2019"),
    _document("example-press-two", "Test fixture two", "Example Press", "https://example.org/two", "2019-05"),
    _document("sample-wire-one", "Test fixture three", "Sample Wire", None, None),
]
CLAIMS = [
    _claim("example-one-dubai", "example-press-one", "Test fixture: Careem's head office is in Dubai."),
    _claim("example-two-dubai", "example-press-two", "Test fixture: Careem was started in Dubai."),
    _claim("sample-one-success", "sample-wire-one", "Test fixture: Careem grew to many cities."),
]
RELATIONS = [
    {
        "subject": "example-one-dubai",
        "type": "contradicts",
        "object": HOMEGROWN,
        "note": "Test: head office.",
    },
    {"subject": "example-two-dubai", "type": "contradicts", "object": HOMEGROWN, "note": "Test: started."},
    {"subject": "sample-one-success", "type": "supports", "object": SUCCESS, "note": "Test: growth."},
    {"subject": HOMEGROWN, "type": "part-of", "object": SUCCESS, "note": "Test: a clause of the sentence."},
]


def add_cited(raw: Raw, _folder: Path) -> None:
    """Make a seed file format /2 with the cited documents, their claims and the relations above."""
    raw["format"] = "sectorfacts-annotations/2"
    # Copies: an edit of one test's file must not reach the next.
    raw["documents"] += copy.deepcopy(DOCUMENTS)
    raw["claims"] += copy.deepcopy(CLAIMS)
    # The seed's own relations stay; a fixture relation the seed already states is not repeated.
    stated = {(r["subject"], r["type"], r["object"]) for r in raw.get("relations", [])}
    fresh = [r for r in RELATIONS if (r["subject"], r["type"], r["object"]) not in stated]
    raw["relations"] = raw.get("relations", []) + copy.deepcopy(fresh)


def write_cited_seed(folder: Path, extra: Any = None) -> Path:
    """The seed with `add_cited` applied (then `extra`, an edit of its own), written into `folder`."""

    def edit(raw: Raw, where: Path) -> None:
        add_cited(raw, where)
        if extra is not None:
            extra(raw, where)

    return write_seed(folder, edit)
