"""A seed file with cited documents, their paraphrase claims and relations (format /2), for tests.

The Arab News record and its claim are the example the annotation format itself gives
(notes/format24.md); the `example-…` and `sample-…` documents are test fixtures, not real publications:
two of Example Press (one publisher, two documents: one independent source) and one of Sample Wire.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.services.seedfiles import Raw, write_seed

ARAB_NEWS = "arab-news-2018-careem-one-million-drivers"
DUBAI_BASED = "careem-dubai-based-arab-news-2018"
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
    _document(
        ARAB_NEWS,
        "Careem hits one million drivers across region in race with Uber",
        "Arab News",
        None,
        "2018-09-03",
    ),
    _document("example-press-one", "Test fixture one", "Example Press", "https://example.org/one", "2019"),
    _document("example-press-two", "Test fixture two", "Example Press", "https://example.org/two", "2019-05"),
    _document("sample-wire-one", "Test fixture three", "Sample Wire", None, None),
]
CLAIMS = [
    _claim(DUBAI_BASED, ARAB_NEWS, "Careem is a company based in Dubai."),
    _claim("example-one-dubai", "example-press-one", "Test fixture: Careem's head office is in Dubai."),
    _claim("example-two-dubai", "example-press-two", "Test fixture: Careem was started in Dubai."),
    _claim("sample-one-success", "sample-wire-one", "Test fixture: Careem grew to many cities."),
]
RELATIONS = [
    {
        "subject": DUBAI_BASED,
        "type": "contradicts",
        "object": HOMEGROWN,
        "note": "Dubai, not Pakistan, as base.",
    },
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
    raw["relations"] = copy.deepcopy(RELATIONS)


def write_cited_seed(folder: Path, extra: Any = None) -> Path:
    """The seed with `add_cited` applied (then `extra`, an edit of its own), written into `folder`."""

    def edit(raw: Raw, where: Path) -> None:
        add_cited(raw, where)
        if extra is not None:
            extra(raw, where)

    return write_seed(folder, edit)
