"""Brings the database in line with a validated annotation file, writing only what differs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, or_, select, update

from app.schemas.annotations import AnnotationFile
from app.services import anchoring
from app.services.claim_bodies import refresh_claim_bodies
from app.services.claim_measures import quantity_rows, validity_columns
from app.services.keys import lookup_key
from app.services.search import index as search_index
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_QUANTITY, CLAIM_THEME, DOCUMENT, ENTITY, THEME
from app.services.tables import CLAIM_RELATION as RELATION
from app.services.tables import CONTEXT_NOTE as NOTE
from app.services.tables import ENTITY_ALIAS as ALIAS


@dataclass
class SyncReport:
    """What a load changed, per table: inserted, updated and deleted rows."""

    changes: Counter[str] = field(default_factory=Counter)
    # Search entries rebuilt because the data changed (derived state, so not counted as a change).
    reindexed: int = 0

    @property
    def changed(self) -> bool:
        """True when the load wrote anything."""
        return any(self.changes.values())

    def __str__(self) -> str:
        if not self.changed:
            return "already up to date: nothing changed"
        return ", ".join(f"{key} {count}" for key, count in sorted(self.changes.items()) if count)


def _upsert(
    connection: Connection, table: Table, key: str, rows: dict[str, dict[str, Any]], report: SyncReport
) -> dict[str, Any]:
    """Insert missing rows and update differing ones, matched on `key`; returns key -> primary key."""
    columns = [table.c[name] for name in next(iter(rows.values()), {})]
    primary = table.primary_key.columns.values()[0]
    existing = {
        row[0]: row
        for row in connection.execute(
            select(table.c[key], primary, *columns).where(table.c[key].in_(list(rows)))
        )
    }
    ids: dict[str, Any] = {}
    for natural_key, values in rows.items():
        current = existing.get(natural_key)
        if current is None:
            result = connection.execute(insert(table).values({key: natural_key, **values}))
            ids[natural_key] = result.inserted_primary_key[0] if result.inserted_primary_key else natural_key
            report.changes[f"{table.name} inserted"] += 1
            continue
        ids[natural_key] = current[1]
        if tuple(current[2:]) != tuple(values.values()):
            connection.execute(update(table).where(table.c[key] == natural_key).values(values))
            report.changes[f"{table.name} updated"] += 1
    return ids


def _replace_children(
    connection: Connection,
    table: Table,
    parent_column: str,
    desired: dict[Any, list[dict[str, Any]]],
    compare: list[str],
    report: SyncReport,
) -> None:
    """Make each parent's child rows equal `desired`, rewriting only the parents whose rows differ."""
    if not desired:
        return
    parent = table.c[parent_column]
    current: dict[Any, list[tuple[Any, ...]]] = {key: [] for key in desired}
    order = [table.c[name] for name in compare]
    for row in connection.execute(select(parent, *order).where(parent.in_(list(desired)))):
        current[row[0]].append(tuple(row[1:]))
    stale = [
        key
        for key, rows in desired.items()
        if sorted((tuple(r[name] for name in compare) for r in rows), key=repr)
        != sorted(current[key], key=repr)
    ]
    if not stale:
        return
    # Delete every stale parent's rows before inserting any, so a unique value may move between parents.
    connection.execute(delete(table).where(parent.in_(stale)))
    new_rows = [{parent_column: key, **row} for key in stale for row in desired[key]]
    if new_rows:
        connection.execute(insert(table), new_rows)
    report.changes[f"{table.name} rewritten"] += len(stale)


def apply(connection: Connection, annotations: AnnotationFile, texts: dict[str, str]) -> SyncReport:
    """Write the annotation file's documents, themes, entities, claims and relations; idempotent."""
    report = SyncReport()
    _upsert(
        connection,
        DOCUMENT,
        "id",
        {
            d.id: {
                "title": d.title,
                # A cited document: no text, no checksum.
                "text": texts.get(d.id),
                "sha256": d.sha256,
                "language": d.language,
                "publisher": d.publisher,
                "url": d.url,
                "published_date": d.published_date,
                "retrieved_date": d.retrieved_date,
            }
            for d in annotations.documents
        },
        report,
    )
    # The file's text of each held document is its current version (a new one where it changed).
    versions, added = anchoring.sync_versions(connection, [d.id for d in annotations.documents])
    report.changes["document_version inserted"] += added
    theme_ids = _upsert(
        connection,
        THEME,
        "slug",
        {
            t.slug: {"name": t.name, "description": t.description, "position": position}
            for position, t in enumerate(annotations.themes)
        },
        report,
    )
    entity_ids = _upsert(
        connection,
        ENTITY,
        "slug",
        {
            e.slug: {
                "name": e.name,
                "name_key": lookup_key(e.name),
                "type": e.type,
                "description": e.description,
                "external_ids": dict(e.external_ids),
            }
            for e in annotations.entities
        },
        report,
    )
    _replace_children(
        connection,
        ALIAS,
        "entity_id",
        {
            entity_ids[e.slug]: [
                {"alias": alias, "alias_key": lookup_key(alias), "position": position}
                for position, alias in enumerate(e.aliases)
            ]
            for e in annotations.entities
        },
        ["alias", "alias_key", "position"],
        report,
    )
    _sync_claims(connection, annotations, theme_ids, entity_ids, versions, report)
    _sync_relations(connection, annotations, report)
    if report.changed:
        report.reindexed = search_index.rebuild(connection)
        refresh_claim_bodies(connection)
    return report


def _sync_claims(
    connection: Connection,
    annotations: AnnotationFile,
    theme_ids: dict[str, Any],
    entity_ids: dict[str, Any],
    versions: dict[str, int],
    report: SyncReport,
) -> None:
    wanted = {c.id for c in annotations.claims}
    documents = [d.id for d in annotations.documents]
    gone = connection.execute(
        delete(CLAIM).where(CLAIM.c.document_id.in_(documents), CLAIM.c.id.not_in(wanted))
    ).rowcount
    report.changes["claim deleted"] += gone
    if not annotations.claims:
        return
    _upsert(
        connection,
        CLAIM,
        "id",
        {
            c.id: {
                "document_id": c.document,
                "statement": c.statement,
                "quote": c.quote,
                # A paraphrase has no span: its order key's (0, 0) (app/models/claim.py).
                "span_start": c.span.start if c.span is not None else 0,
                "span_end": c.span.end if c.span is not None else 0,
                "kind": c.kind,
                # The file's span is in the file's text: the document's current version, anchored.
                "anchor_version": versions.get(c.document) if c.quote is not None else None,
                "orphaned": False,
                **validity_columns(c.validity),
            }
            for c in annotations.claims
        },
        report,
    )
    claims = annotations.claims
    _replace_children(
        connection,
        CLAIM_THEME,
        "claim_id",
        {c.id: [{"theme_id": theme_ids[s]} for s in c.themes] for c in claims},
        ["theme_id"],
        report,
    )
    _replace_children(
        connection,
        CLAIM_ENTITY,
        "claim_id",
        {c.id: [{"entity_id": entity_ids[s]} for s in c.entities] for c in claims},
        ["entity_id"],
        report,
    )
    _replace_children(
        connection,
        NOTE,
        "claim_id",
        {
            c.id: [
                {"position": i, "note": n.note, "sources": [s.model_dump() for s in n.sources]}
                for i, n in enumerate(c.context)
            ]
            for c in claims
        },
        ["position", "note", "sources"],
        report,
    )
    _replace_children(
        connection,
        CLAIM_QUANTITY,
        "claim_id",
        {c.id: quantity_rows(c.quantities) for c in claims},
        [
            "position",
            "amount",
            "unit",
            "scale",
            "period",
            "lower",
            "upper",
            "approximate",
            "span_start",
            "span_end",
            "text",
        ],
        report,
    )


def _sync_relations(connection: Connection, annotations: AnnotationFile, report: SyncReport) -> None:
    """Make the relations among the file's claims those the file lists, matched on (subject, type,
    object): a new triple is inserted, a changed note updated, a triple no longer listed deleted."""
    claims = [c.id for c in annotations.claims]
    wanted = {(r.subject, r.type, r.object): r.note for r in annotations.relations}
    current = {
        (row.subject_id, row.type, row.object_id): (row.id, row.note)
        for row in connection.execute(
            select(RELATION).where(or_(RELATION.c.subject_id.in_(claims), RELATION.c.object_id.in_(claims)))
        )
    }
    gone = [key for triple, (key, _) in current.items() if triple not in wanted]
    if gone:
        connection.execute(delete(RELATION).where(RELATION.c.id.in_(gone)))
        report.changes["claim_relation deleted"] += len(gone)
    for (subject, type_, object_), note in wanted.items():
        found = current.get((subject, type_, object_))
        if found is None:
            connection.execute(
                insert(RELATION).values(subject_id=subject, type=type_, object_id=object_, note=note)
            )
            report.changes["claim_relation inserted"] += 1
        elif found[1] != note:
            connection.execute(update(RELATION).where(RELATION.c.id == found[0]).values(note=note))
            report.changes["claim_relation updated"] += 1
