"""One-word searches: `postings.best`'s page, read and scored in one statement (after the term's counts on
SQLite).

Each statement costs a PostgreSQL round trip through psycopg, more CPU than reading a few postings, so the
page is not read group by group from Python as on SQLite (where a statement costs little): one statement
walks the term's weight groups (a recursive step per group), reads from each the entries past the cursor
up to its `wanted`-th strictly below it, ties at that length included, scores them with bm25 as
`postings._Scorer` does (the same float operations in the same order, the constants bound from
Python, so the same doubles), and looks up the entries of only those that can be on the page.

SQLite reads the page the same way, in one statement too: though a statement costs less there, each one's
trip through the driver and our process still cost more than its reads, and `postings.best` runs one a
weight group. Its idf and average length are read first and bound: SQLite's own `ln` is not in every build.
"""

# The statement is built from this module's constants only, none from input.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, column, text

from app.services.prepared import Prepared
from app.services.search.postings import K1, B, RankedEntry, _scorer


def _score(length: str, idf: str = "s.idf", average: str = "s.average") -> str:
    """SQL: bm25 of an entry of weight `f` and this length, as `_Scorer.score` computes it."""
    return f"({idf} * ((gr.f * (:k1 + 1.0)) / (gr.f + :k1 * (1 - :b + :b * {length} / {average}))))"


def _length_at(idf: str, average: str, score: str = ":last_score") -> str:
    """SQL: the length at which an entry of weight `f` scores `score` (`_Scorer._length_at`)."""
    return f"(({idf} * gr.f * (:k1 + 1.0) / {score} - gr.f - :k1 * (1 - :b)) * {average} / (:k1 * :b))"


# A length bound as a key column compares: an integer (a float bound would not be an index condition).
_SHORTEST = (
    "CASE WHEN :last_score < 'Infinity'::float8 AND :last_score > 0 THEN CAST(greatest(0, least("
    f"floor({_length_at('s.idf', 's.average')}) - 1, 2147483647)) AS integer) ELSE 0 END"
)
# SQLite: an integer cast truncates, which is the floor for what the bound keeps (at least 0).
_SHORTEST_SQLITE = (
    "CASE WHEN :last_score < 1e999 AND :last_score > 0 THEN "
    f"max(0, CAST({_length_at(':idf', ':average')} AS INTEGER) - 1) ELSE 0 END"
)
# The term's weight groups, largest first: one primary-key step each.
_WEIGHT_GROUPS = (
    "g(weight) AS (SELECT max(weight) FROM search_posting WHERE term = :term "
    "UNION ALL SELECT (SELECT max(weight) FROM search_posting WHERE term = :term AND weight < g.weight) "
    "FROM g WHERE g.weight IS NOT NULL)"
)
# The score and the texts untyped: read as the driver gives them (a float8, strings).
_TEXTS = ("kind", "key", "title", "body")
_RESULT = (column("matches", Integer()), column("id", Integer()), column("score"), *map(column, _TEXTS))
_PAGE = Prepared(
    text(
        # The term's count and bm25's idf and average length; no row when no entry holds the term.
        "WITH RECURSIVE s AS ("
        "SELECT matches, average, CASE WHEN idf > 0.0 THEN idf ELSE 1e-6 END AS idf FROM ("
        "SELECT t.matches, CAST(y.terms AS float8) / CAST(y.entries AS float8) AS average, "
        "ln((CAST(y.entries - t.matches AS float8) + 0.5) / (CAST(t.matches AS float8) + 0.5)) AS idf "
        "FROM search_tally y, (SELECT entries AS matches FROM search_term WHERE term = :term) AS t "
        "WHERE y.entries > 0) AS counted), "
        f"{_WEIGHT_GROUPS}, "
        "w AS (SELECT weight, CAST(weight AS float8) AS f FROM g WHERE weight IS NOT NULL), "
        # Each group's shortest entry that may score no more than the cursor (a conservative bound), and
        # the length of its `wanted`-th entry past the cursor: its entries between the two are read.
        f"gr AS (SELECT gr.weight, gr.f, {_SHORTEST} AS shortest FROM w AS gr, s), "
        "bounds AS (SELECT gr.weight, gr.f, gr.shortest, coalesce(("
        "SELECT q.length FROM search_posting q, s WHERE q.term = :term AND q.weight = gr.weight "
        f"AND q.length >= gr.shortest AND {_score('q.length')} < :last_score "
        "ORDER BY q.length, q.entry_id OFFSET :wanted - 1 LIMIT 1), 2147483647) AS longest FROM gr), "
        # OFFSET 0 keeps each group's read a key range of its own: flattened into one join, the planner's
        # generic plan read every posting of the term.
        f"candidate AS (SELECT p.entry_id, {_score('p.length')} AS score FROM s, bounds AS gr "
        "CROSS JOIN LATERAL (SELECT entry_id, length FROM search_posting WHERE term = :term "
        "AND weight = gr.weight AND length >= gr.shortest AND length <= gr.longest OFFSET 0) AS p), "
        # The `wanted`-th best score past the cursor: what scores less cannot be on the page.
        "cut AS (SELECT coalesce((SELECT score FROM candidate WHERE score < :last_score "
        "ORDER BY score DESC OFFSET :wanted - 1 LIMIT 1), '-Infinity'::float8) AS score) "
        "SELECT s.matches, e.id, c.score, e.kind, e.key, e.title, e.body FROM s LEFT JOIN ("
        "candidate c JOIN cut ON c.score >= cut.score AND c.score <= :last_score "
        "JOIN search_entry e ON e.id = c.entry_id "
        "AND (c.score < :last_score OR (e.kind, e.key) > (:last_kind, :last_key))"
        ") ON true ORDER BY c.score DESC, e.kind, e.key LIMIT :wanted"
    ).columns(*_RESULT)
)


# SQLite: how many entries hold the term, and the index's size (no row on an empty index).
_COUNTS = Prepared(
    text(
        "SELECT coalesce((SELECT entries FROM search_term WHERE term = :term), 0) AS matches, entries, terms "
        "FROM search_tally WHERE entries > 0"
    ).columns(column("matches", Integer()), column("entries", Integer()), column("terms", Integer()))
)
# SQLite: `_PAGE` with the idf and average length bound; no LATERAL, but the join reads each group's
# range of the primary key all the same. Each group's `wanted`-th entry past the cursor scores no more than
# the page's last: the best of those scores (`floor`) bounds every group's read, so that a word with many
# weight groups (a word in most entries) reads and scores a few entries of each rather than `wanted`.
_PAGE_SQLITE = Prepared(
    text(
        "WITH RECURSIVE "
        f"{_WEIGHT_GROUPS}, "
        f"gr AS (SELECT weight, f, {_SHORTEST_SQLITE} AS shortest "
        "FROM (SELECT weight, weight AS f FROM g WHERE weight IS NOT NULL) AS gr), "
        "bounds AS (SELECT gr.weight, gr.f, gr.shortest, coalesce(("
        "SELECT q.length FROM search_posting q WHERE q.term = :term AND q.weight = gr.weight "
        # Without a cursor every entry is past it: no entry's score is computed to find the bound.
        "AND q.length >= gr.shortest AND (:last_score = 1e999 OR "
        f"{_score('q.length', ':idf', ':average')} < :last_score) "
        "ORDER BY q.length, q.entry_id LIMIT 1 OFFSET :wanted - 1), 9223372036854775807) AS longest "
        "FROM gr), "
        f"floor AS (SELECT max({_score('gr.longest', ':idf', ':average')}) AS score FROM bounds AS gr "
        "WHERE gr.longest < 9223372036854775807), "
        f"candidate AS MATERIALIZED (SELECT p.entry_id, {_score('p.length', ':idf', ':average')} AS score "
        "FROM bounds AS gr, floor JOIN search_posting p ON p.term = :term AND p.weight = gr.weight "
        "AND p.length >= gr.shortest AND p.length <= min(gr.longest, coalesce(CAST("
        f"{_length_at(':idf', ':average', 'floor.score')} AS INTEGER) + 1, 9223372036854775807))), "
        "cut AS (SELECT coalesce((SELECT score FROM candidate WHERE score < :last_score "
        "ORDER BY score DESC LIMIT 1 OFFSET :wanted - 1), -1e999) AS score) "
        "SELECT e.id, c.score, e.kind, e.key, e.title, e.body FROM candidate c "
        "JOIN cut ON c.score >= cut.score AND c.score <= :last_score "
        "JOIN search_entry e ON e.id = c.entry_id "
        "AND (c.score < :last_score OR (e.kind, e.key) > (:last_kind, :last_key)) "
        "ORDER BY c.score DESC, e.kind, e.key LIMIT :wanted"
    ).columns(*_RESULT[1:])
)


def best(
    connection: Any, term: str, wanted: int, after: Sequence[Any] | None = None
) -> tuple[int, list[RankedEntry]]:
    """`postings.best` in one statement (two on SQLite): how many entries hold `term`, and the best
    `wanted` past the cursor `after` (score, type, id), in score, type, id order."""
    last = {"last_score": float(after[0]), "last_kind": after[1], "last_key": after[2]} if after else {}
    cursor = {"last_score": math.inf, "last_kind": "", "last_key": ""} | last
    if connection.dialect.name == "sqlite":
        counts = _COUNTS.tuples(connection, term=term)
        if not counts or not counts[0][0]:
            return 0, []
        matches, entries, terms = counts[0]
        scorer = _scorer(matches, entries, terms)
        bound = {"idf": scorer.idf, "average": scorer.average_length}
        rows = _PAGE_SQLITE.rows(connection, term=term, wanted=wanted, k1=K1, b=B, **bound, **cursor)
        return int(matches), [
            RankedEntry(row.id, row.kind, row.key, row.score, row.title, row.body) for row in rows
        ]
    rows = _PAGE.rows(connection, term=term, wanted=wanted, k1=K1, b=B, **cursor)
    if not rows:
        return 0, []
    ranked = [
        RankedEntry(row.id, row.kind, row.key, row.score, row.title, row.body)
        for row in rows
        if row.id is not None
    ]
    return int(rows[0].matches), ranked
