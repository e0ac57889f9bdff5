"""Keeps the search index in step with the data; every path that changes what is searchable calls it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, text, update

from app.pipelining import UNREAD
from app.schemas.claims import ClaimPublic
from app.services.bulk_load import copy_rows
from app.services.search import postings
from app.services.search.analyzer import terms
from app.services.search.matching import BODY_WEIGHT, TITLE_WEIGHT
from app.services.tables import (
    CLAIM,
    ENTITY,
    ENTITY_ALIAS,
    SEARCH_ENTRY,
    SEARCH_POSTING,
    SEARCH_TALLY,
    SEARCH_TERM,
    THEME,
)


def _entry(kind: str, key: str, title: str, body: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "key": key,
        "title": title,
        "body": body,
        "title_terms": terms(title),
        "body_terms": terms(body),
    }


def _claim_entries(connection: Connection, ids: Sequence[str] | None = None) -> Iterable[dict[str, Any]]:
    query = select(CLAIM.c.id, CLAIM.c.statement, CLAIM.c.quote)
    if ids is not None:
        query = query.where(CLAIM.c.id.in_(ids))
    for row in connection.execute(query):
        # A paraphrase has no quote: its statement is its only text.
        yield _entry("claim", row.id, row.statement, row.quote or "")


def _entity_entries(connection: Connection, slugs: Sequence[str] | None = None) -> Iterable[dict[str, Any]]:
    entities = select(ENTITY.c.id, ENTITY.c.slug, ENTITY.c.name, ENTITY.c.description)
    aliases_query = select(ENTITY_ALIAS.c.entity_id, ENTITY_ALIAS.c.alias).order_by(ENTITY_ALIAS.c.position)
    if slugs is not None:
        entities = entities.where(ENTITY.c.slug.in_(slugs))
        aliases_query = aliases_query.where(
            ENTITY_ALIAS.c.entity_id.in_(entities.with_only_columns(ENTITY.c.id))
        )
    aliases: defaultdict[int, list[str]] = defaultdict(list)
    for entity_id, alias in connection.execute(aliases_query):
        aliases[entity_id].append(alias)
    for row in connection.execute(entities):
        # Aliases are searchable names; they go with the name so a match on them ranks like one.
        title = " · ".join([row.name, *aliases[row.id]])
        yield _entry("entity", row.slug, title, row.description)


def _theme_entries(connection: Connection, slugs: Sequence[str] | None = None) -> Iterable[dict[str, Any]]:
    query = select(THEME.c.slug, THEME.c.name, THEME.c.description)
    if slugs is not None:
        query = query.where(THEME.c.slug.in_(slugs))
    for row in connection.execute(query):
        yield _entry("theme", row.slug, row.name, row.description)


def _reindex(
    connection: Connection, kind: str, keys: Sequence[str], entries: Iterable[dict[str, Any]]
) -> int:
    """Replace the entries of these items (dropping those of items that no longer exist)."""
    connection.execute(delete(SEARCH_ENTRY).where(SEARCH_ENTRY.c.kind == kind, SEARCH_ENTRY.c.key.in_(keys)))
    rows = list(entries)
    if rows:
        connection.execute(insert(SEARCH_ENTRY), rows)
    return len(rows)


def reindex_claims(connection: Connection, ids: Sequence[str]) -> int:
    """Bring the entries of these claims up to date after a write; returns how many there now are."""
    return _reindex(connection, "claim", ids, _claim_entries(connection, ids)) if ids else 0


def reindex_claim(connection: Connection, was: ClaimPublic | None, now: ClaimPublic | None) -> None:
    """Bring one claim's entry up to date after a write that read the claim before (`was`, None for a
    create) and after it (`now`, None for a delete): from those, not read again; untouched when its
    statement and quote stayed. One statement: a new claim's entry is inserted (its id was never a
    claim's, so no entry holds it), an edited one's rewritten in place, a deleted one's deleted."""
    if was is not None and now is not None and (was.statement, was.quote) == (now.statement, now.quote):
        return
    if now is None:
        if was is not None:
            connection.execute(_CLAIM_ENTRY_DELETE, {"key": was.id})
        return
    entry = _entry("claim", now.id, now.statement, now.quote or "")
    if was is not None:
        # In place: the FTS and posting triggers replace the entry's terms; no id is spent.
        named = {f"entry_{name}": value for name, value in entry.items() if name != "kind"}
        if connection.execute(_CLAIM_ENTRY_UPDATE, named).rowcount == 1:
            return
    connection.execute(_ENTRY_INSERT, entry)


_CLAIM_ENTRY_DELETE = (
    delete(SEARCH_ENTRY)
    .where(SEARCH_ENTRY.c.kind == "claim", SEARCH_ENTRY.c.key == bindparam("key"))
    .execution_options(**UNREAD)
)
_CLAIM_ENTRY_UPDATE = (
    update(SEARCH_ENTRY)
    .where(SEARCH_ENTRY.c.kind == "claim", SEARCH_ENTRY.c.key == bindparam("entry_key"))
    .values({name: bindparam(f"entry_{name}") for name in ("title", "body", "title_terms", "body_terms")})
)
# `inline`: the new entry's id is not fetched back (no RETURNING), so nothing of its answer is read.
_ENTRY_INSERT = insert(SEARCH_ENTRY).inline().execution_options(**UNREAD)


def reindex_entities(connection: Connection, slugs: Sequence[str]) -> int:
    """Bring the entries of these entities up to date after a write."""
    return _reindex(connection, "entity", slugs, _entity_entries(connection, slugs)) if slugs else 0


def reindex_themes(connection: Connection, slugs: Sequence[str]) -> int:
    """Bring the entries of these themes up to date after a write."""
    return _reindex(connection, "theme", slugs, _theme_entries(connection, slugs)) if slugs else 0


def rebuild(connection: Connection, batch: int = 1000) -> int:
    """Replace the whole index with entries built from the current data; returns the number of entries."""
    count = 0
    with postings.derived_after(connection):
        connection.execute(delete(SEARCH_ENTRY))
        pending: list[dict[str, Any]] = []
        for source in (_claim_entries, _entity_entries, _theme_entries):
            for entry in source(connection):
                pending.append(entry)
                if len(pending) >= batch:
                    count += _write(connection, pending)
                    pending = []
        if pending:
            count += _write(connection, pending)
    return count


def _write(connection: Connection, entries: list[dict[str, Any]]) -> int:
    """Insert a batch of entries: by COPY on PostgreSQL (a whole index is a million rows at scale)."""
    if connection.dialect.name != "postgresql":
        connection.execute(insert(SEARCH_ENTRY), entries)
        return len(entries)
    columns = list(entries[0])
    rows = [[entry[name] for name in columns] for entry in entries]
    return copy_rows(connection, SEARCH_ENTRY, [rows], lambda _: None, columns)


def expected_postings(title_terms: str, body_terms: str) -> dict[str, float]:
    """An entry's terms with their weighted counts, as search_posting's triggers derive them."""
    weights: defaultdict[str, float] = defaultdict(float)
    for terms_of, weight in ((title_terms, TITLE_WEIGHT), (body_terms, BODY_WEIGHT)):
        for found in terms_of.split():
            weights[found] += weight
    return dict(weights)


def check(connection: Connection) -> None:
    """Raise if the full-text index or the search postings disagree with search_entry (FTS5
    integrity-check on SQLite, PostgreSQL's tsvector being generated; then, on both engines, every posting
    and tally derived again here; needs the writer)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"))
    expected: set[tuple[str, float, int, int]] = set()
    entries = lengths = 0
    for row in connection.execute(
        select(SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.title_terms, SEARCH_ENTRY.c.body_terms)
    ):
        length = len(row.title_terms.split()) + len(row.body_terms.split())
        entries, lengths = entries + 1, lengths + length
        expected |= {
            (found, weight, length, row.id)
            for found, weight in expected_postings(row.title_terms, row.body_terms).items()
        }
    posting = SEARCH_POSTING.c
    stored = {
        (found, float(weight), length, entry_id)
        for found, weight, length, entry_id in connection.execute(
            select(posting.term, posting.weight, posting.length, posting.entry_id)
        )
    }
    if stored != expected:
        raise AssertionError(
            f"search_posting disagrees with search_entry: {len(stored - expected)} postings too many, "
            f"{len(expected - stored)} missing"
        )
    holding = Counter(found for found, _, _, _ in expected)
    counted: dict[str, int] = {}
    for found, entries_holding in connection.execute(select(SEARCH_TERM.c.term, SEARCH_TERM.c.entries)):
        counted[found] = entries_holding
    if counted != holding:
        raise AssertionError("search_term's counts disagree with search_entry")
    tally = tuple(connection.execute(select(SEARCH_TALLY.c.entries, SEARCH_TALLY.c.terms)).one())
    if tally != (entries, lengths):
        raise AssertionError(f"search_tally holds {tally}, the entries {(entries, lengths)}")
