"""The one engine-specific part of search: matching a parsed query and scoring the matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, literal, literal_column, select
from sqlalchemy.sql import Select

from app.services.search.query import Node, to_fts5, to_tsquery
from app.services.tables import SEARCH_ENTRY, SEARCH_FTS

# Title terms (a claim's statement, an entity's names, a theme's name) weigh twice the body terms.
TITLE_WEIGHT, BODY_WEIGHT = 2.0, 1.0


@dataclass(frozen=True)
class Match:
    """Where to look, which rows match, and how well: larger scores are better."""

    source: FromClause
    condition: ColumnElement[bool]
    score: ColumnElement[Any]
    # The full-text index alone, when `condition` can be counted on it without `source`'s join.
    index: FromClause | None = None


def match(dialect: str, node: Node) -> Match:
    """The FROM clause, condition and score for `node` on SQLite (FTS5) or PostgreSQL (tsvector)."""
    return match_text(dialect, literal(query_text(dialect, node)))


def query_text(dialect: str, node: Node) -> str:
    """`node` as the engine's own query syntax (an FTS5 MATCH expression, or a tsquery)."""
    return to_fts5(node) if dialect == "sqlite" else to_tsquery(node)


def match_text(dialect: str, text: ColumnElement[Any]) -> Match:
    """`match` for a query already in the engine's syntax (`query_text`), given as an expression: a
    literal, or a bindparam for a statement built once."""
    if dialect == "sqlite":
        fts: ColumnElement[Any] = literal_column("search_fts")
        return Match(
            source=SEARCH_ENTRY.join(SEARCH_FTS, SEARCH_FTS.c.rowid == SEARCH_ENTRY.c.id),
            condition=fts.op("MATCH")(text),
            # bm25() is lower-is-better; negate it so every engine ranks by descending score.
            score=-func.bm25(fts, TITLE_WEIGHT, BODY_WEIGHT),
            index=SEARCH_FTS,
        )
    vector: ColumnElement[Any] = literal_column("search_entry.tsv")
    query = func.to_tsquery(literal_column("'simple'::regconfig"), text)
    return Match(
        source=SEARCH_ENTRY,
        condition=vector.op("@@")(query),
        # Weights for D, C, B, A: body terms are B, title terms A.
        score=func.ts_rank_cd(literal_column("'{0, 0, 0.5, 1}'::float4[]"), vector, query),
    )


def matching_keys(dialect: str, node: Node, kind: str) -> Select[Any]:
    """SELECT key, score of the entries of `kind` that match `node`."""
    found = match(dialect, node)
    return (
        select(SEARCH_ENTRY.c.key, found.score.label("score"))
        .select_from(found.source)
        .where(SEARCH_ENTRY.c.kind == kind, found.condition)
    )
