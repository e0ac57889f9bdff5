"""What a claim's answer shows of its relations: each other claim with its source, and corroboration.

Read by `app.services.claim_bodies` when it builds a claim's stored answer; `linked_claims` names the
claims whose answers show a given claim (its related claims), for refreshing them after a write.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, or_, select, union

from app.schemas.claims import RELATION_READINGS
from app.schemas.measures import precision_of
from app.services.id_sets import among, bound
from app.services.tables import CLAIM, CLAIM_RELATION, DOCUMENT

# How the other claim of a relation reads from this claim, by this claim's role and the stored type.
READING = {
    ("object", "supports"): "supported_by",
    ("object", "contradicts"): "contradicted_by",
    ("object", "qualifies"): "qualified_by",
    ("subject", "supports"): "supports",
    ("subject", "contradicts"): "contradicts",
    ("subject", "qualifies"): "qualifies",
    ("object", "same-as"): "same_as",
    ("subject", "same-as"): "same_as",
    ("object", "part-of"): "has_part",
    ("subject", "part-of"): "part_of",
}
# The readings corroboration counts: other claims that bear on this one.
COUNTED = {"supported_by": "supporting_sources", "contradicted_by": "contradicting_sources"}
COUNTED |= {"qualified_by": "qualifying_sources"}
_RANK = {reading: rank for rank, reading in enumerate(RELATION_READINGS)}


def source_key(document_id: str, publisher: str | None) -> str:
    """What makes a source independent: its publisher, compared case- and space-insensitively (never its
    URL); a document whose publisher is unknown is a source of its own."""
    if publisher and publisher.strip():
        return "publisher:" + " ".join(publisher.split()).casefold()
    return "document:" + document_id


# The document columns `claim_source` reads, for a statement that joins a claim's document.
SOURCE_COLUMNS = (
    DOCUMENT.c.title,
    DOCUMENT.c.publisher,
    DOCUMENT.c.url,
    DOCUMENT.c.published_date,
    DOCUMENT.c.retrieved_date,
    DOCUMENT.c.text.is_not(None).label("text_held"),
)


def claim_source(row: Any) -> dict[str, Any]:
    """A claim's `source` (ClaimSource) from a row with its document's columns."""
    return {
        "document_id": row.document_id,
        "title": row.title,
        "publisher": row.publisher,
        "url": row.url,
        "published_date": row.published_date,
        "published_precision": precision_of(row.published_date),
        "retrieved_date": retrieved.isoformat() if (retrieved := row.retrieved_date) is not None else None,
        "retrieved_precision": "day" if row.retrieved_date is not None else None,
        "text_held": bool(row.text_held),
    }


@functools.cache
def _relations_read(dialect: str) -> tuple[tuple[str, Select[Any]], ...]:
    """Per role of the claims asked for, the statement that reads their relations: built once per
    dialect (an alias and its columns cost more to build than the statement to run)."""
    other = CLAIM.alias("other")
    reads = []
    for role, mine, theirs in (
        ("subject", CLAIM_RELATION.c.subject_id, CLAIM_RELATION.c.object_id),
        ("object", CLAIM_RELATION.c.object_id, CLAIM_RELATION.c.subject_id),
    ):
        statement = (
            select(
                CLAIM_RELATION.c.id.label("relation_id"),
                CLAIM_RELATION.c.type,
                CLAIM_RELATION.c.note,
                mine.label("mine"),
                other.c.id,
                other.c.statement,
                other.c.quote,
                other.c.kind,
                other.c.document_id,
                other.c.span_start,
                other.c.span_end,
                *SOURCE_COLUMNS,
            )
            .join(other, other.c.id == theirs)
            .join(DOCUMENT, DOCUMENT.c.id == other.c.document_id)
            .where(among(mine, "ids", dialect))
        )
        reads.append((role, statement))
    return tuple(reads)


def related_claims(connection: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each of `ids`' relations as its answer shows them (`ClaimRelationRef`), in the documented order:
    by reading, then the other claim's order key."""
    found: dict[str, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    dialect = connection.dialect.name
    for role, statement in _relations_read(dialect):
        rows = connection.execute(statement, {"ids": bound(ids, dialect)})
        for row in rows:
            reading = READING[(role, row.type)]
            order = (_RANK[reading], row.document_id, row.span_start, row.span_end, row.id, row.relation_id)
            found[row.mine].append(
                (
                    order,
                    {
                        "relation_id": row.relation_id,
                        "relation": reading,
                        "type": row.type,
                        "note": row.note,
                        "claim": {
                            "id": row.id,
                            "statement": row.statement,
                            "basis": "quote" if row.quote is not None else "paraphrase",
                            "quote": row.quote,
                            "kind": row.kind,
                            "source": claim_source(row),
                        },
                    },
                )
            )
    # Python compares str by code point, as the order key's byte-wise collation does (UTF-8).
    return {claim_id: [link for _, link in sorted(links)] for claim_id, links in found.items()}


def corroboration(document_id: str, publisher: str | None, links: list[dict[str, Any]]) -> dict[str, int]:
    """How many independent sources support, contradict and qualify a claim of this document, from its
    relations (`related_claims`): the claim's own document and publisher do not count."""
    if not links:  # most claims: no relation to look through
        return dict.fromkeys(COUNTED.values(), 0)
    own = source_key(document_id, publisher)
    sources: dict[str, set[str]] = {field: set() for field in COUNTED.values()}
    for link in links:
        source = link["claim"]["source"]
        if (field := COUNTED.get(link["relation"])) is None or source["document_id"] == document_id:
            continue
        if (key := source_key(source["document_id"], source["publisher"])) != own:
            sources[field].add(key)
    return {field: len(keys) for field, keys in sources.items()}


def linked_claims(claims: Select[Any]) -> Select[Any]:
    """The ids `claims` selects and those of every claim related to one of them: the claims whose stored
    answers show them."""
    chosen = claims.subquery()
    related = select(CLAIM_RELATION.c.subject_id.label("id")).where(
        or_(CLAIM_RELATION.c.object_id.in_(select(chosen)), CLAIM_RELATION.c.subject_id.in_(select(chosen)))
    )
    related_objects = select(CLAIM_RELATION.c.object_id.label("id")).where(
        or_(CLAIM_RELATION.c.object_id.in_(select(chosen)), CLAIM_RELATION.c.subject_id.in_(select(chosen)))
    )
    return select(union(select(chosen), related, related_objects).subquery())
