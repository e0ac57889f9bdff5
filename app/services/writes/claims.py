"""Creating, editing and deleting claims: a quote always equals its held document's text at its span; a
cited document's claims are paraphrases, with no quote and no span."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, String, bindparam, delete, func, insert, select

from app.db import Database
from app.pipelining import UNREAD
from app.schemas.annotations import SpanIn
from app.schemas.claims import ClaimPublic
from app.schemas.measures import validity_of
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services.anchoring import anchor, current_version
from app.services.claim_links import SOURCE_COLUMNS, claim_source, corroboration
from app.services.claim_measures import (
    add_quantities,
    quantity_problems,
    replace_quantities,
    validity_columns,
)
from app.services.claims import claim_exists, current_claim, stored_claim
from app.services.id_sets import among, bound
from app.services.prepared import Prepared
from app.services.search.index import reindex_claim
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, DOCUMENT, DOCUMENT_VERSION, ENTITY, THEME
from app.services.writes import edits
from app.services.writes import relations as relation_writes
from app.services.writes.claim_ids import document_prefix, take_claim_id
from app.services.writes.errors import Conflict, InvalidWrite
from app.services.writes.history import ever_recorded
from app.services.writes.revisions import Current
from app.services.writes.spans import check_span, find_span
from app.services.writes.transaction import Actor, transacted_in_pipeline

Errors = list[tuple[str, str]]
CLAIMS = edits.Editable(
    "claim",
    CLAIM,
    "id",
    find=current_claim,
    find_to_edit=stored_claim,
    reindex_one=reindex_claim,
    # A claim's answer, and those of the claims related to it (each shows the other).
    shown_in=lambda claim: [claim.id, *(link.claim.id for link in claim.relations)],
    cascade=relation_writes.delete_relations_of,
    is_claim=True,
    pipeline=True,
)


@functools.cache
def _refs(table: Any, dialect: str) -> Prepared:
    """The themes (or entities) with the slugs bound as `slugs`: slug, id, and what a claim's answer
    shows of each, in the order its answer lists them (app/services/claim_bodies.py)."""
    shown: tuple[Any, ...]
    if table is THEME:
        shown, order = (THEME.c.name,), (THEME.c.position, THEME.c.id)
    else:
        shown, order = (ENTITY.c.name, ENTITY.c.type), (ENTITY.c.name_key, ENTITY.c.id)
    return Prepared(
        select(table.c.slug, table.c.id, *shown).where(among(table.c.slug, "slugs", dialect)).order_by(*order)
    )


def _refs_read(connection: Connection, table: Any, slugs: list[str]) -> Callable[[], list[Any]]:
    """The `_refs` rows of `slugs`, sent now and read when called (Prepared.sent)."""
    if not slugs:  # none asked (a claim may name no entity): no round trip to learn so
        return list
    dialect = connection.dialect.name
    return _refs(table, dialect).sent(connection, slugs=bound(slugs, dialect))


def _slug_refs(rows: list[Any], kind: str, slugs: list[str], location: str, errors: Errors) -> dict[str, Any]:
    """The rows of `_refs_read` by slug, in the order a claim's answer lists them (each once); an error
    for each of `slugs` unknown or repeated."""
    found: dict[str, Any] = {row.slug: row for row in rows}
    seen: set[str] = set()
    for index, slug in enumerate(slugs):
        if slug not in found:
            errors.append((f"{location}[{index}]", f"unknown {kind} {slug!r}"))
        elif slug in seen:
            errors.append((f"{location}[{index}]", f"{kind} {slug!r} listed twice"))
        seen.add(slug)
    return found


def _shown(refs: dict[str, Any]) -> list[dict[str, Any]]:
    """The themes or entities of `_slug_refs` as a claim's answer lists them."""
    return [{name: value for name, value in row._asdict().items() if name != "id"} for row in refs.values()]


def _place(text: str, quote: str, span: SpanIn | None, document_id: str, errors: Errors) -> tuple[int, int]:
    if span is not None:
        if (problem := check_span(text, quote, span.start, span.end)) is not None:
            errors.append(("body.span", problem))
        return span.start, span.end
    found = find_span(text, quote, document_id)
    if isinstance(found, str):
        errors.append(("body.quote", found))
        return 0, 1
    return found


# Where a paraphrase stands in the order key: no span (app/models/claim.py).
NO_SPAN = (0, 0)


def _document_text(connection: Connection, document_id: str, errors: Errors) -> str | None:
    """The document's text; None (with an error) when there is no such document, and "" for a cited one
    (it holds no text; a held text is never empty)."""
    row = connection.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)).one_or_none()
    if row is None:
        errors.append(("body.document", f"unknown document {document_id!r}"))
        return None
    return row.text if row.text is not None else ""


def _basis(
    text: str, quote: str | None, span: SpanIn | None, document_id: str, errors: Errors
) -> tuple[str | None, tuple[int, int]]:
    """The quote and span a claim of this document stores: a held document's claim quotes it (the quote
    placed in its text); a cited document's claim is a paraphrase, with neither."""
    if text == "":
        if quote is not None or span is not None:
            where = "body.quote" if quote is not None else "body.span"
            errors.append(
                (
                    where,
                    f"document {document_id!r} is cited (its text is not held): its claims paraphrase it "
                    "and carry no quote or span",
                )
            )
        return None, NO_SPAN
    if quote is None:
        held = f"document {document_id!r} is held: a claim of it quotes its exact words"
        errors.append(("body.quote", held))
        return None, (0, 1)
    return quote, _place(text, quote, span, document_id, errors)


# Each kind of link: its table and the column naming what the claim links to.
THEMES = (CLAIM_THEME, "theme_id", THEME)
ENTITIES = (CLAIM_ENTITY, "entity_id", ENTITY)


def _link(connection: Connection, claim_id: str, links: tuple[Any, str, Any], ids: Iterable[int]) -> None:
    """Add the claim's links to `ids` (one statement for all)."""
    table, column, named = links
    if keys := list(ids):
        # One INSERT of several rows, not one executed for each: psycopg runs an executemany as a
        # pipeline of statements, and every statement fires the statement-level triggers again.
        dialect = connection.dialect.name
        connection.execute(
            _linking(table, column, named, dialect), {"claim_id": claim_id, "ids": bound(keys, dialect)}
        )


@functools.cache
def _linking(table: Any, column: str, named: Any, dialect: str) -> Any:
    """INSERT of the claim's (bound as `claim_id`) links to the rows of `named` whose ids are bound as
    `ids`: one statement for any number of links, compiled once (a multi-row VALUES is compiled again
    at every execution, which SQLAlchemy cannot cache)."""
    chosen = select(bindparam("claim_id", type_=String()), named.c.id).where(
        among(named.c.id, "ids", dialect, integers=True)
    )
    return insert(table).from_select(["claim_id", column], chosen).execution_options(**UNREAD)


def _relink(
    connection: Connection, claim_id: str, links: tuple[Any, str, Any], old: list[str], new: dict[str, Any]
) -> None:
    """Move the claim's links from the slugs `old` to `new` (slug: row of `_slug_refs`), touching only
    those that differ: each link removed or added costs its derived rows (tallies, pairs, claims in order)."""
    table, column, named = links
    if gone := [slug for slug in old if slug not in new]:
        dialect = connection.dialect.name
        connection.execute(
            _unlinking(table, column, named, dialect), {"claim_id": claim_id, "slugs": bound(gone, dialect)}
        )
    _link(connection, claim_id, links, [int(row.id) for slug, row in new.items() if slug not in old])


@functools.cache
def _unlinking(table: Any, column: str, named: Any, dialect: str) -> Any:
    """DELETE of the claim's (bound as `claim_id`) links to the slugs bound as `slugs`."""
    ids = select(named.c.id).where(among(named.c.slug, "slugs", dialect))
    return (
        delete(table)
        .where(table.c.claim_id == bindparam("claim_id"), table.c[column].in_(ids))
        .execution_options(**UNREAD)
    )


@functools.cache
def _document_read() -> Prepared:
    """A claim's document bound as `document`: its text, what a claim's `source` shows of it, its newest
    version and whether that version's text is the document's (a claim anchored in it quotes that text)."""
    newest = (
        select(func.max(DOCUMENT_VERSION.c.version))
        .where(DOCUMENT_VERSION.c.document_id == DOCUMENT.c.id)
        .correlate(DOCUMENT)
        .scalar_subquery()
    )
    # The texts compared by their digests: comparing the texts read both whole, at every claim written.
    newest_digest = (
        select(DOCUMENT_VERSION.c.sha256)
        .where(DOCUMENT_VERSION.c.document_id == DOCUMENT.c.id)
        .order_by(DOCUMENT_VERSION.c.version.desc())
        .limit(1)
        .correlate(DOCUMENT)
        .scalar_subquery()
    )
    return Prepared(
        select(
            DOCUMENT.c.id.label("document_id"),
            DOCUMENT.c.text,
            *SOURCE_COLUMNS,
            newest.label("version"),
            (newest_digest == DOCUMENT.c.sha256).label("version_is_text"),
        ).where(DOCUMENT.c.id == bindparam("document"))
    )


class ClaimDocuments:
    """The documents of the claims a transaction creates, each read once: for a run of claims written
    while no document changes (ingest, which creates a file's documents before its claims). A document's
    text is read whole to place each quote, so reading it once per claim grew with the text."""

    def __init__(self) -> None:
        self._read: dict[str, Any] = {}

    def read(self, connection: Connection, document_id: str) -> Callable[[], Any]:
        """The `_document_read` row of the document, or None when there is no such document: sent now
        (unless read before) and read when called (Prepared.sent)."""
        if document_id in self._read:
            return lambda: self._read[document_id]
        answer = _document_read().sent(connection, document=document_id)

        def row() -> Any:
            rows = answer()
            self._read[document_id] = rows[0] if rows else None
            return self._read[document_id]

        return row


def _created(
    document: Any, claim_id: str, body: ClaimCreate, quote: str | None, span: tuple[int, int], refs: list[Any]
) -> ClaimPublic | None:
    """The claim just inserted as its answer shows it, from what the write holds: it has no context,
    relations or figures yet. None when that cannot be told without reading it (it has figures, whose
    stored values its answer shows; or its anchor version's text is not the document's)."""
    if body.quantities or (
        quote is not None and document.version is not None and not document.version_is_text
    ):
        return None
    row = SimpleNamespace(
        document_id=body.document,
        quote=quote,
        anchor_version=document.version if quote is not None else None,
        orphaned=False,
        span_start=span[0],
        span_end=span[1],
    )
    texts = {(body.document, document.version): document.text} if row.anchor_version is not None else {}
    themes, entities = refs
    return ClaimPublic.model_validate(
        {
            "id": claim_id,
            "statement": body.statement,
            "basis": "quote" if quote is not None else "paraphrase",
            "quote": quote,
            "kind": body.kind,
            "document_id": body.document,
            "span": {"start": span[0], "end": span[1]} if quote is not None else None,
            "anchor": anchor(texts, row),
            "source": claim_source(document),
            "themes": _shown(themes),
            "entities": _shown(entities),
            "context": [],
            "relations": [],
            "corroboration": corroboration(body.document, document.publisher, []),
            "validity": validity_of(body.validity.valid_from, body.validity.valid_to)
            if body.validity is not None
            else validity_of(None, None),
            "quantities": [],
        }
    )


@transacted_in_pipeline
def create_claim(
    connection: Connection,
    actor: Actor,
    body: ClaimCreate,
    claim_id: str | None = None,
    documents: ClaimDocuments | None = None,
) -> Current[ClaimPublic]:
    """Add a claim, with a server-chosen id unless ingest gives one; raises InvalidWrite (422) listing every
    problem, Conflict (409) for a taken id. `documents`: a run's documents, read once (ClaimDocuments)."""
    errors: Errors = []
    # Every read the claim needs sent before any is read: on PostgreSQL one round trip brings them all.
    read_document = (documents or ClaimDocuments()).read(connection, body.document)
    read_themes = _refs_read(connection, THEME, body.themes)
    read_entities = _refs_read(connection, ENTITY, body.entities)
    read_prefix = document_prefix(connection, body.document) if claim_id is None else None
    document, theme_rows, entity_rows = read_document(), read_themes(), read_entities()
    prefix = read_prefix() if read_prefix is not None else None
    if document is None:
        errors.append(("body.document", f"unknown document {body.document!r}"))
    # A cited document holds no text: "" (a held text is never empty).
    text = None if document is None else document.text if document.text is not None else ""
    quote, (start, end) = (
        _basis(text, body.quote, body.span, body.document, errors) if text is not None else (None, (0, 1))
    )
    themes = _slug_refs(theme_rows, "theme", body.themes, "body.themes", errors)
    entities = _slug_refs(entity_rows, "entity", body.entities, "body.entities", errors)
    within = quote if quote is not None else body.statement
    errors += quantity_problems(body.quantities, within, "body.quantities")
    if errors:
        raise InvalidWrite(errors)
    assert document is not None  # an unknown document is an error above
    if claim_id is None:
        assert prefix is not None  # read above when no id is given
        claim_id = take_claim_id(connection, prefix)
    elif claim_exists(connection, claim_id) or ever_recorded(connection, "claim", claim_id):
        raise Conflict(f"The claim id {claim_id!r} is taken (by a claim, or by a deleted one's history).")
    values: dict[str, Any] = {
        "statement": body.statement,
        "quote": quote,
        "kind": body.kind,
        **validity_columns(body.validity),
    }
    # A quote is placed in the document's current text: anchored in its current version.
    values["anchor_version"] = document.version if quote is not None else None
    connection.execute(
        _INSERT_CLAIM,
        {"id": claim_id, "document_id": body.document, "span_start": start, "span_end": end, **values},
    )
    _link(connection, claim_id, THEMES, [int(row.id) for row in themes.values()])
    _link(connection, claim_id, ENTITIES, [int(row.id) for row in entities.values()])
    add_quantities(connection, claim_id, body.quantities)
    known = _created(document, claim_id, body, quote, (start, end), [themes, entities])
    return CLAIMS.created(connection, actor, claim_id, known)


_INSERT_CLAIM = insert(CLAIM).execution_options(**UNREAD)


def update_claim(
    database: Database, actor: Actor, claim_id: str, if_match: str | None, body: ClaimPatch
) -> Current[ClaimPublic]:
    """Merge-patch a claim at the revision If-Match names; a patch that changes nothing writes nothing."""
    changes = body.changes()
    return CLAIMS.update(
        database, actor, claim_id, if_match, lambda connection, before: _apply(connection, before, changes)
    )


# What a patch may change and the claim read again tell apart: the quote (its span and anchor with it)
# and the figures. A patch of none of them changes only what it sends (and the revision).
_REREAD = ("quote", "span", "quantities")


def _apply(
    connection: Connection, before: Current[ClaimPublic], changes: dict[str, Any]
) -> bool | ClaimPublic:
    """Write the patch's fields (always: whether that changed anything shows once the claim is read
    again), and the links and figures it gives; raises InvalidWrite (422) listing every problem. Answers
    the claim as it now stands when the patch changes only its statement, kind, validity, themes or
    entities (the rest of its answer is as `before` shows it); True when it must be read again."""
    old = before.public
    errors: Errors = []
    values: dict[str, Any] = {k: changes[k] for k in ("statement", "kind") if k in changes}
    if "quote" in changes or "span" in changes:
        quote = changes.get("quote", old.quote)
        # A new quote alone is looked up; a new span alone must fit the current quote.
        span = changes.get("span")
        if span is None and "quote" not in changes and old.span is not None:
            span = SpanIn(start=old.span.start, end=old.span.end)
        text = _document_text(connection, old.document_id, errors) or ""
        quote, (start, end) = _basis(text, quote, span, old.document_id, errors)
        values |= {"quote": quote, "span_start": start, "span_end": end}
        # Placed in the current text: anchored in its current version (an orphaned claim so fixed).
        version = current_version(connection, old.document_id) if quote is not None else None
        values |= {"anchor_version": version, "orphaned": False}
    shown: dict[str, Any] = {k: values[k] for k in ("statement", "kind") if k in values}
    themes = entities = None
    if "themes" in changes:
        rows = _refs_read(connection, THEME, changes["themes"])()
        themes = _slug_refs(rows, "theme", changes["themes"], "body.themes", errors)
        shown["themes"] = _shown(themes)
    if "entities" in changes:
        rows = _refs_read(connection, ENTITY, changes["entities"])()
        entities = _slug_refs(rows, "entity", changes["entities"], "body.entities", errors)
        shown["entities"] = _shown(entities)
    if "validity" in changes:
        values |= validity_columns(changes["validity"])
        shown["validity"] = validity_of(values["valid_from"], values["valid_to"])
    # The figures, given or kept, must stand in the text they index after the patch.
    quantities = changes.get("quantities")
    if quantities is None:
        quantities = list(old.quantities)
    quote_after = values.get("quote", old.quote)
    within = quote_after if quote_after is not None else values.get("statement", old.statement)
    errors += quantity_problems(quantities, within, "body.quantities")
    if errors:
        raise InvalidWrite(errors)
    CLAIMS.bump(connection, before, values)
    if themes is not None:
        _relink(connection, before.key, THEMES, [theme.slug for theme in old.themes], themes)
    if entities is not None:
        _relink(connection, before.key, ENTITIES, [entity.slug for entity in old.entities], entities)
    if "quantities" in changes:
        replace_quantities(connection, before.key, quantities)
    if any(name in changes for name in _REREAD):
        return True
    return ClaimPublic.model_validate({**old.model_dump(), **shown})


def delete_claim(database: Database, actor: Actor, claim_id: str, if_match: str | None) -> None:
    """Delete a claim with its links, notes and relations (each relation's deletion logged); its history
    stays, and GET then answers 410 Gone."""
    CLAIMS.delete(database, actor, claim_id, if_match)
