"""Anchors that survive a new version of their document: each quoted claim's W3C `TextQuoteSelector`
(the quote with a fixed context either side), and re-anchoring by it, exactly or not at all.

A claim's span points into one version of its document's text (`claim.anchor_version`). When a new
version replaces the text, a claim follows only where its quote, with its prefix and suffix, occurs
exactly once in the new text; anywhere else it is *orphaned*: it keeps its span in the version it was
anchored in, and a curator places it again (PATCH its quote or span). Nothing here looks for a text
that is merely similar: a passage that changed by one character no longer holds the claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, tuple_

from app.services.tables import DOCUMENT, DOCUMENT_VERSION

# Code points of context a quote selector takes either side of the quote (fewer at the text's ends).
CONTEXT = 32


@dataclass(frozen=True)
class QuoteSelector:
    """A quote with the text just before and just after it (W3C Web Annotation `TextQuoteSelector`)."""

    prefix: str
    exact: str
    suffix: str

    @property
    def context(self) -> str:
        """Prefix, quote and suffix as one string: what must occur once in a new text."""
        return self.prefix + self.exact + self.suffix


def quote_selector(text: str, start: int, end: int) -> QuoteSelector:
    """The selector of `text[start:end]`: up to CONTEXT code points before and after it."""
    return QuoteSelector(text[max(0, start - CONTEXT) : start], text[start:end], text[end : end + CONTEXT])


def occurrences(text: str, needle: str, *, at_most: int = 2) -> list[int]:
    """Where `needle` occurs in `text`, overlapping occurrences included, up to `at_most` of them."""
    found: list[int] = []
    at = text.find(needle)
    while at >= 0 and len(found) < at_most:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def find_anchor(text: str, selector: QuoteSelector) -> tuple[int, int] | None:
    """The quote's new span in `text` when its selector occurs there exactly once; else None."""
    places = occurrences(text, selector.context)
    if len(places) != 1:
        return None
    start = places[0] + len(selector.prefix)
    return start, start + len(selector.exact)


@dataclass(frozen=True)
class Placement:
    """Where a claim stands after a new version: its new span, or None when it is orphaned."""

    claim_id: str
    span: tuple[int, int] | None


def place_claims(texts: dict[tuple[str, int], str], claims: Iterable[Any], new_text: str) -> list[Placement]:
    """Each quoted claim (rows with `id`, `document_id`, `anchor_version`, `span_start`, `span_end`)
    placed in `new_text` by its selector in the version it is anchored in (`texts` by document and
    version)."""
    placed = []
    for claim in claims:
        old = texts[(claim.document_id, claim.anchor_version)]
        selector = quote_selector(old, claim.span_start, claim.span_end)
        placed.append(Placement(claim.id, find_anchor(new_text, selector)))
    return placed


def sha256(text: str) -> str:
    """The SHA-256 of the UTF-8 text, as documents carry it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_version(connection: Connection, document_id: str) -> int | None:
    """The newest version number of a document's text; None for a cited document (or none recorded)."""
    newest = connection.execute(
        select(func.max(DOCUMENT_VERSION.c.version)).where(DOCUMENT_VERSION.c.document_id == document_id)
    ).scalar()
    return None if newest is None else int(newest)


def add_version(
    connection: Connection, document_id: str, text: str, note: str | None = None, *, dated: bool = True
) -> int:
    """Record `text` as the document's next version, `dated` now (else its time is unknown: a text the
    seed loads); returns its number (1 for the first)."""
    number = (current_version(connection, document_id) or 0) + 1
    connection.execute(
        insert(DOCUMENT_VERSION).values(
            document_id=document_id,
            version=number,
            text=text,
            sha256=sha256(text),
            created_at=dt.datetime.now(dt.UTC) if dated else None,
            note=note,
        )
    )
    return number


def sync_versions(connection: Connection, document_ids: Sequence[str]) -> tuple[dict[str, int], int]:
    """Make each held document's text its newest version: a new one, undated, where the text differs
    from it (a seed that changed it does not say when); returns each held document's current version,
    and how many versions were added."""
    versions: dict[str, int] = {}
    added = 0
    held = connection.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.sha256).where(
            DOCUMENT.c.id.in_(document_ids), DOCUMENT.c.text.is_not(None)
        )
    ).all()
    for document_id, checksum in held:
        newest = current_version(connection, document_id)
        if newest is not None:
            stored = connection.execute(
                select(DOCUMENT_VERSION.c.sha256).where(
                    DOCUMENT_VERSION.c.document_id == document_id, DOCUMENT_VERSION.c.version == newest
                )
            ).scalar_one()
            if stored == checksum:
                versions[document_id] = newest
                continue
        text = connection.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)).scalar_one()
        versions[document_id] = add_version(connection, document_id, text, dated=False)
        added += 1
    return versions, added


def version_texts(connection: Connection, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The texts of these (document id, version) pairs that exist."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    pair = tuple_(DOCUMENT_VERSION.c.document_id, DOCUMENT_VERSION.c.version)
    rows = connection.execute(
        select(DOCUMENT_VERSION.c.document_id, DOCUMENT_VERSION.c.version, DOCUMENT_VERSION.c.text).where(
            pair.in_(wanted)
        )
    )
    return {(row.document_id, row.version): row.text for row in rows}


def anchor(texts: dict[tuple[str, int], str], row: Any) -> dict[str, Any] | None:
    """A quoted claim's `anchor` as the API shows it (app/schemas/claims.py), from its row (`document_id`,
    `quote`, `anchor_version`, `orphaned`, `span_start`, `span_end`); None for a paraphrase."""
    if row.quote is None or row.anchor_version is None:
        return None
    text = texts.get((row.document_id, row.anchor_version))
    if text is None:
        # A version the table lacks (a database written outside the API): the quote alone, no context.
        selector = QuoteSelector("", row.quote, "")
    else:
        selector = quote_selector(text, row.span_start, row.span_end)
    return {
        "document_version": row.anchor_version,
        "status": "orphaned" if row.orphaned else "anchored",
        "position": {"type": "TextPositionSelector", "start": row.span_start, "end": row.span_end},
        "quote": {
            "type": "TextQuoteSelector",
            "exact": selector.exact,
            "prefix": selector.prefix,
            "suffix": selector.suffix,
        },
    }
