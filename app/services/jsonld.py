"""Claims as JSON-LD: schema.org Claims whose appearance is the quoted passage of their source.

Each claim is a `Claim` (`@id` its permalink, `text` its statement); `appearance` and `firstAppearance`
are the `Quotation` in the source `CreativeWork` (with the document's URL and a text-fragment link when
known), its span as W3C Web Annotation selectors (`TextPositionSelector` and `TextQuoteSelector`) of
the version of the text it is anchored in; `about` the entities; `keywords` the
themes; and each context note a `ClaimReview` (`reviewBody` the note, `citation` its sources) without
a rating, since nobody gave one. A claim's relations to other claims and its corroboration counts use the
terms of app/services/vocabulary.py (ours where schema.org has none, published at /v1/context.jsonld):
each related claim is listed under the relation's key (`contradictedBy`, `supports`, `isPartOf`, …) with
its source, and each relation is also an `oa:Annotation` whose body is the curator's note. No HTTP here:
the base URL comes from the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, select

from app.db import Database
from app.schemas.citations import CitedDocument
from app.schemas.claims import (
    Anchor,
    ClaimPublic,
    ClaimRelationRef,
    ClaimSource,
    ContextNotePublic,
    Source,
    Span,
)
from app.schemas.common import Page
from app.schemas.measures import UNITS, Quantity
from app.services import vocabulary
from app.services.citations import api_link, claim_permalink, text_fragment_url
from app.services.pagination import meta_dict
from app.services.tables import DOCUMENT

# Readings in which this claim is the relation's object (the other claim is its subject).
OBJECT_READINGS = frozenset({"supported_by", "contradicted_by", "qualified_by", "has_part"})


def context(base_url: str) -> list[Any]:
    """A claim graph's `@context`: schema.org, then our own terms (app/services/vocabulary.py)."""
    return ["https://schema.org", vocabulary.context(base_url)]


# Entity types with a closer schema.org type than Thing.
SCHEMA_TYPES = {"company": "Organization", "government": "GovernmentOrganization", "country": "Country"}
# A document's citation metadata, and its text when it has a URL.
SourceDocument = tuple[CitedDocument, str | None]


def cited_documents(database: Database, document_ids: Iterable[str]) -> dict[str, SourceDocument]:
    """Each document's citation metadata, with its text when it has a URL (to build text fragments)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    fields = [DOCUMENT.c[name] for name in CitedDocument.model_fields]
    text = case((DOCUMENT.c.url.is_not(None), DOCUMENT.c.text)).label("text")
    with database.read() as connection:
        rows = connection.execute(select(*fields, text).where(DOCUMENT.c.id.in_(ids))).all()
    return {
        row.id: (CitedDocument(**{name: getattr(row, name) for name in CitedDocument.model_fields}), row.text)
        for row in rows
    }


def _without_nulls(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if value is not None and value != []}


def _publisher(name: str | None) -> dict[str, Any] | None:
    return {"@type": "Organization", "name": name} if name else None


def _document_node(base_url: str, document_id: str, document: CitedDocument | None) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork", "@id": api_link(base_url, "documents", document_id)}
    if document is None:
        return node | {"identifier": document_id}
    published = document.published_date
    return node | _without_nulls(
        {
            "identifier": document_id,
            "name": document.title,
            "url": document.url,
            "publisher": _publisher(document.publisher),
            "datePublished": published,
        }
    )


def _source_node(source: Source) -> dict[str, Any]:
    return {"@type": "CreativeWork"} | _without_nulls(
        {
            "name": source.title,
            "publisher": _publisher(source.publisher),
            "url": source.url,
            "datePublished": source.date,
        }
    )


def _review_node(claim: ClaimPublic, permalink: str, note: ContextNotePublic) -> dict[str, Any]:
    # What another publication says about the claim; no rating, because nobody gave one.
    return {
        "@type": "ClaimReview",
        "itemReviewed": {"@id": permalink},
        "claimReviewed": claim.statement,
        "reviewBody": note.note,
        "citation": [_source_node(source) for source in note.sources],
    }


def _selectors(span: Span, anchor: Anchor | None) -> list[dict[str, Any]] | dict[str, Any]:
    """The quote's W3C Web Annotation selectors: its position, and its quote with prefix and suffix."""
    position = {"@type": "oa:TextPositionSelector", "oa:start": span.start, "oa:end": span.end}
    if anchor is None:
        return position
    quote = anchor.quote
    return [
        position,
        {
            "@type": "oa:TextQuoteSelector",
            "oa:exact": quote.exact,
            "oa:prefix": quote.prefix,
            "oa:suffix": quote.suffix,
        },
    ]


def _quotation(
    base_url: str, claim: ClaimPublic, span: Span, cited: CitedDocument | None, text: str | None
) -> dict[str, Any]:
    """The quoted passage of a held document, its span as Web Annotation selectors of the version of
    the text it is anchored in (the document's `version`)."""
    document_id, quote, anchor = claim.document_id, claim.quote or "", claim.anchor
    document = _document_node(base_url, document_id, cited)
    if anchor is not None:
        document["version"] = anchor.document_version
    # An orphaned claim's quote stands in an older version: no link into the current text.
    current = anchor is None or anchor.status == "anchored"
    return _without_nulls(
        {
            "@type": "Quotation",
            "@id": f"{api_link(base_url, 'documents', document_id)}#char={span.start},{span.end}"
            if current
            else None,
            "text": quote,
            "url": text_fragment_url(cited.url, quote, text) if cited and current else None,
            "isPartOf": document,
            "oa:hasSelector": _selectors(span, anchor),
        }
    )


def _cited_source_node(base_url: str, source: ClaimSource) -> dict[str, Any]:
    return {"@type": "CreativeWork", "@id": api_link(base_url, "documents", source.document_id)} | (
        _without_nulls(
            {
                "identifier": source.document_id,
                "name": source.title,
                "url": source.url,
                "publisher": _publisher(source.publisher),
                "datePublished": source.published_date,
            }
        )
    )


def _related_node(base_url: str, relation: ClaimRelationRef) -> dict[str, Any]:
    """The other claim of a relation: its statement, what it rests on and its source."""
    other = relation.claim
    document = _cited_source_node(base_url, other.source)
    appearance = document
    if other.quote is not None:
        appearance = {"@type": "Quotation", "text": other.quote, "isPartOf": document}
    return {
        "@type": "Claim",
        "@id": claim_permalink(base_url, other.id),
        "identifier": other.id,
        "text": other.statement,
        "genre": other.kind,
        "basis": other.basis,
        "appearance": appearance,
    }


def _relation_annotation(base_url: str, permalink: str, relation: ClaimRelationRef) -> dict[str, Any]:
    """A relation as a Web Annotation linking its subject and object claims, the note its body."""
    other = claim_permalink(base_url, relation.claim.id)
    subject, object_ = (other, permalink) if relation.relation in OBJECT_READINGS else (permalink, other)
    return _without_nulls(
        {
            "@type": "oa:Annotation",
            "@id": api_link(base_url, "relations", str(relation.relation_id)),
            "oa:motivatedBy": {"@id": "oa:linking"},
            "relationType": vocabulary.TYPE_PROPERTIES[relation.type],
            "oa:hasTarget": [{"@id": subject}, {"@id": object_}],
            "oa:bodyValue": relation.note or None,
        }
    )


def _relation_properties(claim: ClaimPublic, base_url: str, permalink: str) -> dict[str, Any]:
    """The claim's related claims under each relation's key, its relation annotations, its counts."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for relation in claim.relations:
        key = vocabulary.READING_KEYS[relation.relation]
        grouped.setdefault(key, []).append(_related_node(base_url, relation))
    counts = claim.corroboration
    return grouped | {
        "claimRelation": [_relation_annotation(base_url, permalink, r) for r in claim.relations],
        "supportingSources": counts.supporting_sources,
        "contradictingSources": counts.contradicting_sources,
        "qualifyingSources": counts.qualifying_sources,
    }


def claim_node(claim: ClaimPublic, base_url: str, document: SourceDocument | None) -> dict[str, Any]:
    """One claim as a schema.org Claim node whose appearance is the quoted passage of its document (a
    paraphrase's: its cited document)."""
    cited, text = document if document is not None else (None, None)
    permalink = claim_permalink(base_url, claim.id)
    span = claim.span
    # A paraphrase appears in its (cited) document, but at no passage we could quote.
    quotation = _document_node(base_url, claim.document_id, cited)
    if span is not None and claim.quote is not None:
        quotation = _quotation(base_url, claim, span, cited, text)
    return _without_nulls(
        {
            "@type": "Claim",
            "@id": permalink,
            "url": permalink,
            "identifier": claim.id,
            "text": claim.statement,
            "genre": claim.kind,
            "appearance": quotation,
            "firstAppearance": quotation,
            "about": [
                {
                    "@type": SCHEMA_TYPES.get(entity.type, "Thing"),
                    "@id": api_link(base_url, "entities", entity.slug),
                    "identifier": entity.slug,
                    "name": entity.name,
                }
                for entity in claim.entities
            ],
            "keywords": [
                {
                    "@type": "DefinedTerm",
                    "@id": api_link(base_url, "themes", theme.slug),
                    "termCode": theme.slug,
                    "name": theme.name,
                }
                for theme in claim.themes
            ],
            "review": [_review_node(claim, permalink, note) for note in claim.context],
            "basis": claim.basis,
            # schema.org's validity terms; the dates as precise as the source gives them.
            "validFrom": claim.validity.valid_from,
            "validThrough": claim.validity.valid_to,
            "quantity": [_quantity_node(quantity) for quantity in claim.quantities],
        }
        | _relation_properties(claim, base_url, permalink)
    )


def _quantity_node(quantity: Quantity) -> dict[str, Any]:
    """A figure the claim states: a schema.org MonetaryAmount (an ISO 4217 currency) or
    QuantitativeValue (a counted unit), with the words that state it."""
    money = quantity.unit not in UNITS
    return _without_nulls(
        {
            "@type": "MonetaryAmount" if money else "QuantitativeValue",
            "value": quantity.amount,
            "currency": quantity.unit if money else None,
            "unitText": None if money else quantity.unit,
            "minValue": quantity.lower,
            "maxValue": quantity.upper,
            "statedAs": quantity.text,
        }
    )


def page_graph(
    page: Page[ClaimPublic], base_url: str, documents: dict[str, SourceDocument]
) -> dict[str, Any]:
    """A page of claims as a JSON-LD graph of schema.org Claims, with the page's `meta` alongside."""
    return {
        "@context": context(base_url),
        "@graph": [claim_node(claim, base_url, documents.get(claim.document_id)) for claim in page.data],
        "meta": meta_dict(page.meta),
    }
