"""Each claim's stored answer (`claim_body`): `ClaimPublic` serialised, written by the service.

The schema is the only definition of a claim's public JSON: a body is built from the claim's rows into
a `ClaimPublic` and serialised by its pydantic serializer, so a new claim field needs no SQL. Reads
splice the stored bytes into their answers without validating them again.

Every write that changes what a body shows calls `refresh_claim_bodies` with the claims it touched: a
claim, its links and notes, and the claims related to it; both claims of a relation; every claim of a
renamed theme or entity; the claims that show a document whose citation changed. A claim's deletion
deletes its body (the foreign key cascades). The migrate step rebuilds every body when they are
missing or stale (`ensure_claim_bodies`), e.g. after the schema gained a field.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, TextClause, delete, exists, insert, select, text
from sqlalchemy.dialects import sqlite

from app.pipelining import UNREAD
from app.schemas.claims import ClaimPublic
from app.schemas.documents import DocumentPublic
from app.schemas.entities import EntityPublic
from app.schemas.measures import validity_of
from app.schemas.themes import ThemePublic
from app.services.anchoring import anchor, version_texts
from app.services.claim_links import (
    SOURCE_COLUMNS,
    claim_source,
    corroboration,
    linked_claims,
    related_claims,
)
from app.services.claim_measures import quantities_of
from app.services.id_sets import among, bound
from app.services.tables import (
    CLAIM,
    CLAIM_BODY,
    CLAIM_ENTITY,
    CLAIM_THEME,
    CONTEXT_NOTE,
    DOCUMENT,
    ENTITY,
    THEME,
)

# Claims built and written per round of statements.
BATCH = 5000


def body_json(claim: ClaimPublic) -> str:
    """The claim's public JSON, as the API answers it: the schema's serializer, in the schema's key order."""
    return ClaimPublic.__pydantic_serializer__.to_json(claim).decode()


@dataclass(frozen=True)
class _Reads:
    """The statements that read claims' rows for their bodies, built once per dialect: building them
    anew for every claim written cost more than running them."""

    themes: Select[Any]
    entities: Select[Any]
    context: Select[Any]
    claims: Select[Any]


@functools.cache
def _reads(dialect: str) -> _Reads:
    return _Reads(
        themes=select(CLAIM_THEME.c.claim_id, THEME.c.slug, THEME.c.name)
        .join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
        .where(among(CLAIM_THEME.c.claim_id, "ids", dialect))
        .order_by(THEME.c.position, THEME.c.id),
        entities=select(CLAIM_ENTITY.c.claim_id, ENTITY.c.slug, ENTITY.c.name, ENTITY.c.type)
        .join(ENTITY, ENTITY.c.id == CLAIM_ENTITY.c.entity_id)
        .where(among(CLAIM_ENTITY.c.claim_id, "ids", dialect))
        .order_by(ENTITY.c.name_key, ENTITY.c.id),
        context=select(CONTEXT_NOTE.c.claim_id, CONTEXT_NOTE.c.note, CONTEXT_NOTE.c.sources)
        .where(among(CONTEXT_NOTE.c.claim_id, "ids", dialect))
        .order_by(CONTEXT_NOTE.c.position, CONTEXT_NOTE.c.id),
        claims=select(CLAIM, *SOURCE_COLUMNS)
        .join(DOCUMENT, DOCUMENT.c.id == CLAIM.c.document_id)
        .where(among(CLAIM.c.id, "ids", dialect)),
    )


class _Row(dict[str, Any]):
    """A claim's row as plain data that pickles (to a worker process), read by attribute like the row."""

    __getattr__ = dict.__getitem__


@dataclass(frozen=True)
class ClaimRows:
    """What some claims' bodies are built from, read and nothing else: plain data, so a worker process
    can build the bodies (`bodies_of`) while this one reads the next claims."""

    claims: Sequence[Any]  # rows of `_Reads.claims`
    anchors: dict[str, dict[str, Any] | None]  # by claim id: computed here, from texts too large to send
    themes: dict[str, list[dict[str, Any]]]
    entities: dict[str, list[dict[str, Any]]]
    context: dict[str, list[dict[str, Any]]]
    relations: dict[str, list[dict[str, Any]]]
    quantities: dict[str, list[dict[str, Any]]]

    def detached(self) -> ClaimRows:
        """The same, with each claim's row as a plain `_Row`."""
        claims = [_Row(row._mapping) for row in self.claims]
        return ClaimRows(
            claims, self.anchors, self.themes, self.entities, self.context, self.relations, self.quantities
        )

    def fields(self) -> list[tuple[dict[str, Any], int]]:
        """Each claim's fields, as `ClaimPublic` is validated from them, with its revision."""
        relations = self.relations
        return [
            (
                {
                    "id": row.id,
                    "statement": row.statement,
                    "basis": "quote" if row.quote is not None else "paraphrase",
                    "quote": row.quote,
                    "kind": row.kind,
                    "document_id": row.document_id,
                    # A paraphrase's (0, 0) is its order key, not a span (app/models/claim.py).
                    "span": {"start": row.span_start, "end": row.span_end} if row.quote is not None else None,
                    "anchor": self.anchors[row.id],
                    "source": claim_source(row),
                    "themes": self.themes.get(row.id, []),
                    "entities": self.entities.get(row.id, []),
                    "context": self.context.get(row.id, []),
                    "relations": relations.get(row.id, []),
                    "corroboration": corroboration(row.document_id, row.publisher, relations.get(row.id, [])),
                    "validity": validity_of(row.valid_from, row.valid_to),
                    "quantities": self.quantities.get(row.id, []),
                },
                row.revision,
            )
            for row in self.claims
        ]


def claim_rows(connection: Connection, ids: Sequence[str]) -> ClaimRows:
    """The rows the claims with these ids (those that exist) are built from."""
    # The ids bound as one parameter, not one each: a full rebuild runs these statements thousands of
    # times, and rendering thousands of placeholders each time cost more than running them.
    dialect = connection.dialect.name
    chosen = {"ids": bound(ids, dialect)}
    reads = _reads(dialect)
    themes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for themed in connection.execute(reads.themes, chosen):
        themes[themed.claim_id].append({"slug": themed.slug, "name": themed.name})
    entities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for named in connection.execute(reads.entities, chosen):
        entities[named.claim_id].append({"slug": named.slug, "name": named.name, "type": named.type})
    context: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for noted in connection.execute(reads.context, chosen):
        context[noted.claim_id].append({"note": noted.note, "sources": noted.sources})
    relations = related_claims(connection, ids)
    quantities = quantities_of(connection, ids)
    claims = connection.execute(reads.claims, chosen).all()
    # The text of each version the quoted claims are anchored in, for their quote selectors.
    texts = version_texts(
        connection,
        ((row.document_id, row.anchor_version) for row in claims if row.anchor_version is not None),
    )
    anchors = {row.id: anchor(texts, row) for row in claims}
    return ClaimRows(claims, anchors, themes, entities, context, relations, quantities)


def claims_with_revisions(connection: Connection, ids: Sequence[str]) -> list[tuple[ClaimPublic, int]]:
    """The claims with these ids that exist, each built from its rows (each list in the documented order),
    with its revision: what a write reads, never the stored body it is about to rewrite."""
    built = claim_rows(connection, ids).fields()
    return [(ClaimPublic.model_validate(fields), revision) for fields, revision in built]


def bodies_of(rows: ClaimRows) -> list[tuple[str, str]]:
    """Each claim's id and body from its rows: validated into a `ClaimPublic` and serialised by
    `body_json`. Reads nothing: a worker process can run it."""
    return [(fields["id"], body_json(ClaimPublic.model_validate(fields))) for fields, _ in rows.fields()]


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def refresh_claim_bodies(
    connection: Connection,
    claims: Sequence[str] | Select[Any] | None = None,
    known: Mapping[str, ClaimPublic | None] | None = None,
) -> int:
    """Rewrite the stored bodies of `claims` (ids, or a SELECT of ids; None: every claim) from their rows,
    inside the caller's transaction; a listed claim that no longer exists loses its body. Returns the
    number of bodies written. `known`: claims the caller has just built from their rows in this
    transaction (None for one it deleted), written as they are instead of read again."""
    known = known or {}
    if claims is None:
        connection.execute(delete(CLAIM_BODY))
        ids: Sequence[str] = list(connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id)).scalars())
    elif isinstance(claims, Select):
        ids = sorted(set(connection.execute(claims).scalars()))
    else:
        ids = sorted(set(claims))
    written = 0
    for batch in _batches(ids):
        unknown = [claim_id for claim_id in batch if claim_id not in known]
        built = [claim for claim, _ in claims_with_revisions(connection, unknown)] if unknown else []
        built += [claim for claim_id in batch if (claim := known.get(claim_id)) is not None]
        rows = [{"claim_id": claim.id, "body": body_json(claim)} for claim in built]
        if claims is not None:
            # A listed claim gone lost its body with it (the foreign key cascades), except on a database
            # written outside the service.
            written_ids = {row["claim_id"] for row in rows}
            if gone := [claim_id for claim_id in unknown if claim_id not in written_ids]:
                connection.execute(delete(CLAIM_BODY).where(CLAIM_BODY.c.claim_id.in_(gone)))
        if rows:
            _write_bodies(connection, rows, replacing=claims is not None)
        written += len(rows)
    return written


def _write_bodies(connection: Connection, rows: list[dict[str, str]], *, replacing: bool) -> None:
    """Insert a batch of bodies (`replacing` the ones it finds). On PostgreSQL the batch is one statement
    (its ids and bodies as two arrays), so the statement-level trigger that moves `data_revision` fires
    once a batch: row by row, a rebuild at 1,000,000 claims updated that one row a million times in one
    transaction, each update slower than the last (a transaction's own versions of a row stay in the
    chain every later update walks)."""
    if connection.dialect.name != "postgresql":
        connection.execute(_sqlite_replacing() if replacing else insert(CLAIM_BODY), rows)
        return
    connection.execute(
        _postgres_batch(replacing),
        {"ids": [row["claim_id"] for row in rows], "bodies": [row["body"] for row in rows]},
    )


@functools.cache
def _postgres_batch(replacing: bool) -> TextClause:
    """PostgreSQL: one INSERT of a batch of bodies from two arrays (its answer never read); built once."""
    inserting = (
        "INSERT INTO claim_body (claim_id, body) "
        "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:bodies AS text[]))"
    )
    if replacing:
        inserting += " ON CONFLICT (claim_id) DO UPDATE SET body = excluded.body"
    return text(inserting).execution_options(**UNREAD)


@functools.cache
def _sqlite_replacing() -> Any:
    """SQLite: an INSERT of bodies that replaces a claim's body it finds (one statement, not a DELETE
    first); built once, as building it on every write cost more than running it."""
    statement = sqlite.insert(CLAIM_BODY)
    return statement.on_conflict_do_update(
        index_elements=[CLAIM_BODY.c.claim_id], set_={"body": statement.excluded.body}
    )


def of_theme(theme: ThemePublic) -> Select[Any]:
    """The ids of the claims that carry `theme`, for `refresh_claim_bodies`."""
    theme_id = select(THEME.c.id).where(THEME.c.slug == theme.slug).scalar_subquery()
    return select(CLAIM_THEME.c.claim_id).where(CLAIM_THEME.c.theme_id == theme_id)


def of_document(document: DocumentPublic) -> Select[Any]:
    """The ids of the claims that show `document` as a source (its claims, and the claims related to
    them), for `refresh_claim_bodies`."""
    return linked_claims(select(CLAIM.c.id).where(CLAIM.c.document_id == document.id))


def of_entity(entity: EntityPublic) -> Select[Any]:
    """The ids of the claims that name `entity`, for `refresh_claim_bodies`."""
    entity_id = select(ENTITY.c.id).where(ENTITY.c.slug == entity.slug).scalar_subquery()
    return select(CLAIM_ENTITY.c.claim_id).where(CLAIM_ENTITY.c.entity_id == entity_id)


def claim_bodies_current(connection: Connection) -> bool:
    """Whether every claim has a body and the first claim's is what the schema serialises today.

    A body is missing after an upgrade that created the table on a database with claims; a changed
    schema changes every body, so one sample tells stale bodies from current ones."""
    missing = exists().where(CLAIM_BODY.c.claim_id == CLAIM.c.id)
    if connection.execute(select(CLAIM.c.id).where(~missing).limit(1)).first() is not None:
        return False
    first = connection.execute(select(CLAIM.c.id).order_by(CLAIM.c.id).limit(1)).scalar()
    if first is None:
        return True
    stored = connection.execute(select(CLAIM_BODY.c.body).where(CLAIM_BODY.c.claim_id == first)).scalar()
    return stored == body_json(claims_with_revisions(connection, [first])[0][0])


def ensure_claim_bodies(connection: Connection) -> int:
    """Rebuild every body when they are missing or stale (`claim_bodies_current`); returns how many were
    written (0 when they were current)."""
    return 0 if claim_bodies_current(connection) else refresh_claim_bodies(connection)
