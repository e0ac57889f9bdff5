"""Our own JSON-LD terms for what schema.org and W3C Web Annotation do not name: relations between claims.

schema.org defines no claim-to-claim support or contradiction (schemaorg issue #1828 is open), so these
are terms of our own, under a namespace served by the API itself (`GET /v1/context.jsonld`, whose
`@context` defines them and whose `@graph` documents each one). Where a standard term fits, it is used
instead: a part-of relation is schema.org's `isPartOf` / `hasPart` (their domain is CreativeWork, of which
Claim is a subtype), and a relation's note is a Web Annotation (`oa:Annotation`, motivation `oa:linking`).
No HTTP here: the base URL comes from the caller.
"""

from __future__ import annotations

from typing import Any

CONTEXT_PATH = "/v1/context.jsonld"
OA = "http://www.w3.org/ns/oa#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"
SAME_AS_NOTE = (
    "Not owl:sameAs: owl:sameAs says two IRIs name one resource, so a reasoner would merge the two "
    "claims' quotes, spans, kinds and sources (the seed links an opinion and a fact that state the same "
    "thing). Not schema:sameAs either: that points to a web page that identifies the item. sf:sameAs "
    "only says that the two claims state the same proposition; it is symmetric, and each claim keeps "
    "its own words and source."
)
# JSON key -> (how the context defines it, what it means).
TERMS: dict[str, tuple[dict[str, str], str]] = {
    "basis": (
        {"@id": "sf:basis"},
        "What the claim rests on: `quote` (the exact words of a document whose text the API holds, at a "
        "span) or `paraphrase` (our paraphrase of a cited document whose text the API does not hold).",
    ),
    "supports": (
        {"@id": "sf:supports", "@type": "@id"},
        "The subject claim, from its own source, supports the object claim: it states something that "
        "bears out what the object claim says.",
    ),
    "contradicts": (
        {"@id": "sf:contradicts", "@type": "@id"},
        "The subject claim, from its own source, states something that cannot be true together with the "
        "object claim.",
    ),
    "qualifies": (
        {"@id": "sf:qualifies", "@type": "@id"},
        "The subject claim neither supports nor contradicts the object claim but limits or adds a "
        "condition to it (part of it holds, or holds only in some respect).",
    ),
    "sameClaimAs": (
        {"@id": "sf:sameAs", "@type": "@id"},
        f"The two claims state the same proposition. {SAME_AS_NOTE}",
    ),
    "supportedBy": ({"@reverse": "sf:supports", "@type": "@id"}, "The inverse of `sf:supports`."),
    "contradictedBy": ({"@reverse": "sf:contradicts", "@type": "@id"}, "The inverse of `sf:contradicts`."),
    "qualifiedBy": ({"@reverse": "sf:qualifies", "@type": "@id"}, "The inverse of `sf:qualifies`."),
    "claimRelation": (
        {"@id": "sf:claimRelation"},
        "A relation of this claim to another, as a W3C Web Annotation (`oa:Annotation`, motivated by "
        "`oa:linking`) whose targets are the subject and the object claim, whose `oa:bodyValue` is the "
        "curator's note and whose `relationType` is the property that links them.",
    ),
    "relationType": (
        {"@id": "sf:relationType", "@type": "@id"},
        "The property a relation annotation stands for: `sf:supports`, `sf:contradicts`, `sf:qualifies`, "
        "`sf:sameAs` or `schema:isPartOf` (subject part of object).",
    ),
    "supportingSources": (
        {"@id": "sf:supportingSources"},
        "How many independent sources support the claim through its relations: a source is a publisher "
        "(compared case-insensitively, never a URL), or a document when its publisher is unknown; the "
        "claim's own document and publisher do not count.",
    ),
    "contradictingSources": (
        {"@id": "sf:contradictingSources"},
        "How many independent sources contradict the claim, counted like `sf:supportingSources`.",
    ),
    "qualifyingSources": (
        {"@id": "sf:qualifyingSources"},
        "How many independent sources qualify the claim, counted like `sf:supportingSources`.",
    ),
    "quantity": (
        {"@id": "sf:quantity"},
        "A figure the claim states: a schema.org `MonetaryAmount` (an ISO 4217 `currency`) or "
        "`QuantitativeValue` (`unitText` from the API's list of units), `value` the whole amount, "
        "`minValue`/`maxValue` the bounds the text gives, `sf:statedAs` the words that state it.",
    ),
    "statedAs": (
        {"@id": "sf:statedAs"},
        "The words of the quote (or of a paraphrase's statement) that state a figure.",
    ),
}
# A claim's relation reading (app/schemas/claims.py) -> the JSON key its related claims are listed under.
READING_KEYS = {
    "supported_by": "supportedBy",
    "contradicted_by": "contradictedBy",
    "qualified_by": "qualifiedBy",
    "supports": "supports",
    "contradicts": "contradicts",
    "qualifies": "qualifies",
    "same_as": "sameClaimAs",
    "has_part": "hasPart",  # schema.org
    "part_of": "isPartOf",  # schema.org
}
# A stored relation type -> the property it stands for.
TYPE_PROPERTIES = {
    "supports": "sf:supports",
    "contradicts": "sf:contradicts",
    "qualifies": "sf:qualifies",
    "same-as": "sf:sameAs",
    "part-of": "schema:isPartOf",
}


def namespace(base_url: str) -> str:
    """The IRI our terms are made of: the published context's address, then `#` and the term."""
    return f"{base_url.rstrip('/')}{CONTEXT_PATH}#"


def context(base_url: str) -> dict[str, Any]:
    """The context object a claim graph uses after schema.org's: `meta` stays plain JSON, `oa:` is Web
    Annotation (its TextPositionSelector counts code points, end exclusive, exactly like a span), `sf:`
    our terms."""
    terms = {key: definition for key, (definition, _) in TERMS.items()}
    return {"meta": None, "oa": OA, "sf": namespace(base_url), "schema": SCHEMA, **terms}


def context_document(base_url: str) -> dict[str, Any]:
    """The published context: `@context` defines our terms, `@graph` documents each of them."""
    described = [
        {
            "@id": definition["@id"],
            "@type": "rdf:Property",
            "rdfs:label": key,
            "rdfs:comment": comment,
        }
        for key, (definition, comment) in TERMS.items()
        if "@id" in definition  # a reverse term is documented by the property it reverses
    ]
    overview = {
        "@id": namespace(base_url).rstrip("#"),
        "@type": "owl:Ontology",
        "rdfs:comment": "Terms of the Sector Facts API for claims and how they bear on each other. A "
        "claim is a schema:Claim; its other relations use schema:isPartOf / schema:hasPart (part-of: "
        "schema.org's domain CreativeWork includes Claim), and the inverses supportedBy, contradictedBy "
        "and qualifiedBy are JSON-LD reverse terms of sf:supports, sf:contradicts and sf:qualifies.",
    }
    prefixes = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": RDFS,
        "owl": "http://www.w3.org/2002/07/owl#",
    }
    return {"@context": context(base_url) | prefixes, "@graph": [overview, *described]}
