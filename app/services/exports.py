"""Claim exports: the whole filtered set read in keyset batches, and its CSV and NDJSON shapes.

No HTTP here: app/api/formats.py streams these chunks and picks the format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from app.db import Database
from app.schemas.claims import RELATION_READINGS, ClaimPublic
from app.services.claim_filters import ClaimFilters, conditions
from app.services.claim_plans import CLAIM_ORDER, order_key
from app.services.claims import claims_by_id
from app.services.pagination import after

EXPORT_BATCH_SIZE = 500
CSV_COLUMNS = (
    "id",
    "statement",
    "kind",
    "document_id",
    "span_start",
    "span_end",
    "quote",
    "themes",
    "entities",
    "context",
    "context_json",
    # Added after the first columns, whose order stays as it was.
    "basis",
    "source_title",
    "source_publisher",
    "source_url",
    "source_published_date",
    # The ids of the related claims, by how each relates to this one (app/schemas/claims.py).
    *RELATION_READINGS,
    "supporting_sources",
    "contradicting_sources",
    "qualifying_sources",
    "relations_json",
    # When it holds (PartialDate, empty when unstated) and its figures.
    "valid_from",
    "valid_to",
    "quantities",
    "quantities_json",
)
SLUG_SEPARATOR = "|"
NOTE_SEPARATOR = "\n"
ID_SEPARATOR = ";"


def claim_batches(
    database: Database, filters: ClaimFilters, *, batch_size: int = EXPORT_BATCH_SIZE
) -> Iterator[list[ClaimPublic]]:
    """Every claim matching `filters`, in document order, `batch_size` claims at a time.

    The filters are resolved and the first batch read before this returns, so an unknown filter value
    or a missing scope raises here, before any response starts. Each later batch opens a read
    connection and releases it before the batch is handed over: memory and connections stay constant
    whatever the size of the set.
    """
    with database.read() as connection:
        where = conditions(connection, filters)
        first = _batch(connection, where, None, batch_size)
    return _batches(database, where, first, batch_size)


def _batch(
    connection: Connection, where: Sequence[ColumnElement[Any]], key: Sequence[Any] | None, size: int
) -> list[ClaimPublic]:
    statement = select(*CLAIM_ORDER).where(*where).order_by(*CLAIM_ORDER).limit(size)
    if key is not None:
        statement = after(statement, CLAIM_ORDER, key)
    return claims_by_id(connection, [row.id for row in connection.execute(statement)])


def _batches(
    database: Database, where: Sequence[ColumnElement[Any]], batch: list[ClaimPublic], size: int
) -> Iterator[list[ClaimPublic]]:
    while batch:
        yield batch
        if len(batch) < size:
            return
        last = batch[-1]
        with database.read() as connection:
            batch = _batch(connection, where, order_key(last), size)


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def csv_row(claim: ClaimPublic) -> list[str | int]:
    """One claim as a CSV row, in CSV_COLUMNS order.

    `themes` and `entities` are slugs joined by `|`; `context` is the notes joined by newlines, and
    `context_json` the full context (each note with its sources) as compact JSON, exactly as in JSON.
    `source_*` is the claim's own document as a citation (empty when unknown); each relation column
    (`supported_by`, `contradicted_by`, …) the ids of the claims related that way, joined by `;`; the
    counts are `corroboration`; `relations_json` the full relations (with notes and sources) as JSON;
    `valid_from`/`valid_to` the claim's `validity` dates; `quantities` each figure as `<amount> <unit>`
    joined by `;`, and `quantities_json` the figures in full.
    """
    source = claim.source.model_dump(mode="json")
    related = {
        reading: ID_SEPARATOR.join(r.claim.id for r in claim.relations if r.relation == reading)
        for reading in RELATION_READINGS
    }
    counts = claim.corroboration
    return [
        claim.id,
        claim.statement,
        claim.kind,
        claim.document_id,
        # A paraphrase has no span and no quote: empty cells.
        claim.span.start if claim.span is not None else "",
        claim.span.end if claim.span is not None else "",
        claim.quote if claim.quote is not None else "",
        SLUG_SEPARATOR.join(theme.slug for theme in claim.themes),
        SLUG_SEPARATOR.join(entity.slug for entity in claim.entities),
        NOTE_SEPARATOR.join(note.note for note in claim.context),
        _compact_json([note.model_dump(mode="json") for note in claim.context]),
        claim.basis,
        *(source[name] or "" for name in ("title", "publisher", "url", "published_date")),
        *(related[reading] for reading in RELATION_READINGS),
        counts.supporting_sources,
        counts.contradicting_sources,
        counts.qualifying_sources,
        _compact_json([relation.model_dump(mode="json") for relation in claim.relations]),
        claim.validity.valid_from or "",
        claim.validity.valid_to or "",
        ID_SEPARATOR.join(f"{q.amount:g} {q.unit}" for q in claim.quantities),
        _compact_json([quantity.model_dump(mode="json") for quantity in claim.quantities]),
    ]


def csv_chunks(batches: Iterable[list[ClaimPublic]]) -> Iterator[str]:
    """The header line, then one chunk of RFC 4180 CSV (CRLF line ends, quoted as needed) per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for batch in batches:
        writer.writerows(csv_row(claim) for claim in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def ndjson_chunks(batches: Iterable[list[ClaimPublic]]) -> Iterator[str]:
    """One chunk per batch: each claim as one JSON line, the exact item shape of `GET /v1/claims`."""
    for batch in batches:
        yield "".join(claim.model_dump_json() + "\n" for claim in batch)
