"""What a seed file says about claim relations, worked out from the file itself: the expected answers of
the tests of relations, corroboration and their filters, never numbers copied from the API's output."""

from __future__ import annotations

from collections.abc import Mapping

from app.schemas.annotations import ClaimIn, DocumentIn
from app.services.annotations import SeedData

# A claim's corroboration counts, by the relation type that bears on it (subject TYPE the claim).
COUNTED = {
    "supports": "supporting_sources",
    "contradicts": "contradicting_sources",
    "qualifies": "qualifying_sources",
}


def claims_by_id(seed: SeedData) -> dict[str, ClaimIn]:
    """The seed's claims by id."""
    return {c.id: c for c in seed.annotations.claims}


def documents_by_id(seed: SeedData) -> dict[str, DocumentIn]:
    """The seed's documents by id."""
    return {d.id: d for d in seed.annotations.documents}


def paraphrases(seed: SeedData) -> set[str]:
    """Ids of the claims without a quote: a cited document's paraphrases."""
    return {c.id for c in seed.annotations.claims if c.quote is None}


def subjects(seed: SeedData, relation_type: str, object_id: str) -> set[str]:
    """The claims that are the subject of a `relation_type` relation to `object_id`."""
    return {
        r.subject for r in seed.annotations.relations if r.type == relation_type and r.object == object_id
    }


def objects(seed: SeedData, relation_type: str, subject_id: str | None = None) -> set[str]:
    """The objects of the `relation_type` relations (of `subject_id`'s only, when given)."""
    return {
        r.object
        for r in seed.annotations.relations
        if r.type == relation_type and subject_id in (None, r.subject)
    }


def in_relation(seed: SeedData, *relation_types: str) -> set[str]:
    """The claims on either side of a relation of one of these types."""
    return {
        claim_id
        for r in seed.annotations.relations
        if r.type in relation_types
        for claim_id in (r.subject, r.object)
    }


def in_order(seed: SeedData, keep: set[str]) -> list[str]:
    """These claim ids in the documented list order: (document, span start, span end, id)."""
    by_id = claims_by_id(seed)
    return sorted(keep, key=lambda claim_id: by_id[claim_id].order_key)


def _source_key(document: DocumentIn) -> str:
    # Independent sources are told apart by publisher (case and spacing aside), a document without one is
    # a source of its own.
    if document.publisher and document.publisher.strip():
        return "publisher:" + " ".join(document.publisher.split()).casefold()
    return "document:" + document.id


def corroboration(
    seed: SeedData, claim_id: str, publishers: Mapping[str, str | None] | None = None
) -> dict[str, int]:
    """The claim's `corroboration`: per relation type, the independent sources of the claims bearing on it,
    not counting its own document or publisher; `publishers` overrides documents' publishers (by id)."""
    documents = documents_by_id(seed)
    if publishers:
        documents |= {
            key: documents[key].model_copy(update={"publisher": p}) for key, p in publishers.items()
        }
    by_id = claims_by_id(seed)
    own = documents[by_id[claim_id].document]
    counts: dict[str, int] = {}
    for relation_type, field in COUNTED.items():
        sources = {by_id[s].document for s in subjects(seed, relation_type, claim_id)} - {own.id}
        keys = {_source_key(documents[document_id]) for document_id in sources}
        counts[field] = len(keys - {_source_key(own)})
    return counts


def source_of(seed: SeedData, claim_id: str) -> dict[str, object]:
    """The `source` the API shows for a claim: its document's citation, read from the seed file."""
    document = documents_by_id(seed)[claims_by_id(seed)[claim_id].document]
    return {
        "document_id": document.id,
        "title": document.title,
        "publisher": document.publisher,
        "url": document.url,
        "published_date": document.published_date,
        "published_precision": _precision(document.published_date),
        "retrieved_date": document.retrieved_date.isoformat() if document.retrieved_date else None,
        "retrieved_precision": "day" if document.retrieved_date else None,
        "text_held": document.held,
    }


def _precision(date: str | None) -> str | None:
    """A PartialDate's precision, by its form."""
    return None if date is None else {4: "year", 7: "month", 10: "day"}[len(date)]
