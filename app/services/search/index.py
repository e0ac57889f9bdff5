"""Keeps the search index in step with the data; every path that changes what is searchable calls it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from app.services.search.analyzer import terms
from app.services.tables import CLAIM, ENTITY, ENTITY_ALIAS, SEARCH_ENTRY, THEME


def _entry(kind: str, key: str, title: str, body: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "key": key,
        "title": title,
        "body": body,
        "title_terms": terms(title),
        "body_terms": terms(body),
    }


def _claim_entries(connection: Connection) -> Iterable[dict[str, Any]]:
    for row in connection.execute(select(CLAIM.c.id, CLAIM.c.statement, CLAIM.c.quote)):
        yield _entry("claim", row.id, row.statement, row.quote)


def _entity_entries(connection: Connection) -> Iterable[dict[str, Any]]:
    aliases: defaultdict[int, list[str]] = defaultdict(list)
    for entity_id, alias in connection.execute(
        select(ENTITY_ALIAS.c.entity_id, ENTITY_ALIAS.c.alias).order_by(ENTITY_ALIAS.c.position)
    ):
        aliases[entity_id].append(alias)
    for row in connection.execute(select(ENTITY.c.id, ENTITY.c.slug, ENTITY.c.name, ENTITY.c.description)):
        # Aliases are searchable names; they go with the name so a match on them ranks like one.
        title = " · ".join([row.name, *aliases[row.id]])
        yield _entry("entity", row.slug, title, row.description)


def _theme_entries(connection: Connection) -> Iterable[dict[str, Any]]:
    for row in connection.execute(select(THEME.c.slug, THEME.c.name, THEME.c.description)):
        yield _entry("theme", row.slug, row.name, row.description)


def rebuild(connection: Connection, batch: int = 1000) -> int:
    """Replace the whole index with entries built from the current data; returns the number of entries."""
    connection.execute(delete(SEARCH_ENTRY))
    count = 0
    pending: list[dict[str, Any]] = []
    for source in (_claim_entries, _entity_entries, _theme_entries):
        for entry in source(connection):
            pending.append(entry)
            if len(pending) >= batch:
                connection.execute(insert(SEARCH_ENTRY), pending)
                count += len(pending)
                pending = []
    if pending:
        connection.execute(insert(SEARCH_ENTRY), pending)
        count += len(pending)
    return count


def check(connection: Connection) -> None:
    """Raise if the full-text index disagrees with search_entry (FTS5 integrity-check; needs the writer)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"))
