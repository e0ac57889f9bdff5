"""One-word searches, best first without scoring every match: read from `search_posting`, on both engines.

FTS5 and ts_rank_cd rank by scoring every entry a word is in, so a common word's search grows with the
data. For one
term, FTS5's bm25 is `idf * f * (K1 + 1) / (f + K1 * (1 - B + B * length / average length))`: it depends
on an entry only through `f`, the term's weighted count in it (a title hit counts 2, a body hit 1), and
the entry's length, and falls as the length grows. `search_posting` (migration 0007) keeps each term's
entries grouped by `f` and shortest first, so the best k of a term are among the first k of each of its
few groups (ties at each group's k-th length included). The scores are computed here exactly as FTS5
computes them, from the same counts, so a page is the one ranking every match would give. PostgreSQL
(migration 0020) reads the same page from the same tables in one statement (`one_statement`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Integer, column, select, text

from app.services.id_sets import among, bound
from app.services.prepared import Prepared
from app.services.search.matching import BODY_WEIGHT, TITLE_WEIGHT
from app.services.tables import SEARCH_ENTRY

# FTS5's bm25 constants (ext/fts5/fts5_aux.c).
K1, B = 1.2, 0.75
# Past the end of any group: the bound used when a group has fewer entries than asked for.
_LONGEST = 2**63 - 1


class RankedEntry(NamedTuple):
    """A search entry with its score, ready for a page of hits (a named tuple: a page builds twenty or
    more, and a frozen dataclass is much slower to build)."""

    id: int
    kind: str
    key: str
    score: float
    title: str
    body: str


# How many entries hold the term, the index's size, and the term's weight groups, largest first, each with
# its shortest entry's length: in one statement, one primary-key step per group rather than a walk of its
# entries. No group rows (weight null) when no entry holds the term; no row at all on an empty index.
_GROUPS = Prepared(
    text(
        "WITH RECURSIVE g(weight) AS ("
        "SELECT max(weight) FROM search_posting WHERE term = :term "
        "UNION ALL SELECT (SELECT max(weight) FROM search_posting WHERE term = :term AND weight < g.weight) "
        "FROM g WHERE g.weight IS NOT NULL"
        ") SELECT t.matches, t.entries, t.terms, g.weight, "
        "(SELECT min(length) FROM search_posting p WHERE p.term = :term AND p.weight = g.weight) AS shortest "
        "FROM (SELECT coalesce((SELECT entries FROM search_term WHERE term = :term), 0) AS matches, entries, "
        "terms FROM search_tally) AS t LEFT JOIN g ON g.weight IS NOT NULL"
    ).columns(
        column("matches", Integer()),
        column("entries", Integer()),
        column("terms", Integer()),
        column("weight"),  # untyped: read as the driver gives it, a float on both engines
        column("shortest", Integer()),
    )
)
# The shortest entries of one weight group from `shortest` on, up to `longest`: the first `skip + 1` of
# them and every entry as long as the last of those (it scores the same).
_SHORTEST = Prepared(
    text(
        "SELECT entry_id, length FROM search_posting "
        "WHERE term = :term AND weight = :weight AND length >= :shortest AND length <= :longest "
        "AND length <= coalesce(("
        "SELECT length FROM search_posting WHERE term = :term AND weight = :weight AND length >= :shortest "
        "ORDER BY length, entry_id LIMIT 1 OFFSET :skip), :longest)"
    ).columns(column("entry_id", Integer()), column("length", Integer()))
)
_ENTRIES = Prepared(
    select(
        SEARCH_ENTRY.c.id, SEARCH_ENTRY.c.kind, SEARCH_ENTRY.c.key, SEARCH_ENTRY.c.title, SEARCH_ENTRY.c.body
    ).where(among(SEARCH_ENTRY.c.id, "ids", "sqlite", integers=True))
)


@dataclass(frozen=True)
class _Scorer:
    """bm25 of one term, as FTS5 computes it (same operations in the same order, so the same doubles)."""

    idf: float
    average_length: float

    def score(self, weight: float, length: int) -> float:
        return self.idf * ((weight * (K1 + 1.0)) / (weight + K1 * (1 - B + B * length / self.average_length)))

    def _length_at(self, weight: float, score: float) -> float:
        """The length at which an entry of this weight scores `score` (bm25 solved for the length)."""
        return (
            (self.idf * weight * (K1 + 1.0) / score - weight - K1 * (1 - B)) * self.average_length / (K1 * B)
        )

    def longest_at_least(self, weight: float, score: float) -> int:
        """A length no shorter than the longest whose score is at least `score` (the k-th best so far)."""
        exact = self._length_at(weight, score) if math.isfinite(score) and score > 0 else math.inf
        return max(-1, math.floor(exact) + 1) if math.isfinite(exact) else _LONGEST

    def shortest_below(self, weight: float, score: float) -> int:
        """A length no longer than the shortest whose score is at most `score` (a cursor's place)."""
        if not (math.isfinite(score) and score > 0):
            return 0
        exact = self._length_at(weight, score)
        # One short of the solution: rounding may put it either side; what scores above is filtered out.
        return max(0, math.floor(exact) - 1) if math.isfinite(exact) else 0


def _scorer(matches: int, entries: int, terms: int) -> _Scorer:
    idf = math.log((entries - matches + 0.5) / (matches + 0.5))
    # As FTS5: a term in more than half the entries still counts, a little.
    return _Scorer(idf=idf if idf > 0.0 else 1e-6, average_length=terms / entries)


def best(
    connection: Any, term: str, wanted: int, after: Sequence[Any] | None = None
) -> tuple[int, list[RankedEntry]]:
    """On SQLite: how many entries hold `term`, and the best `wanted` past the cursor `after` (score,
    type, id), in score, type, id order."""
    groups = _GROUPS.tuples(connection, term=term)
    if not groups or not groups[0][0]:
        return 0, []
    matches, entries_count, terms_count = groups[0][:3]
    scorer = _scorer(matches, entries_count, terms_count)
    last_score = float(after[0]) if after is not None else math.inf
    candidates: dict[int, float] = {}
    # The scores of candidates past the cursor, best first: past the k-th, a group's longer entries are
    # not read at all, nor a group whose shortest entry is longer than that.
    settled: list[float] = []
    for *_, weight, group_shortest in groups:
        if weight is None:
            continue
        shortest = scorer.shortest_below(weight, last_score) if after is not None else 0
        longest = scorer.longest_at_least(weight, settled[wanted - 1]) if len(settled) >= wanted else _LONGEST
        if longest < max(shortest, group_shortest):
            continue
        take = wanted
        while True:
            rows = _SHORTEST.tuples(
                connection, term=term, weight=weight, shortest=shortest, skip=take - 1, longest=longest
            )
            scored = [(entry_id, scorer.score(weight, length)) for entry_id, length in rows]
            # Entries scoring as the cursor's may fall either side of it: they do not count towards
            # `wanted`, but stay candidates for the type-and-id comparison below.
            below = [score for _, score in scored if score < last_score]
            if len(below) >= wanted or len(rows) < take:
                break
            take *= 4
        candidates.update((entry_id, score) for entry_id, score in scored if score <= last_score)
        settled = sorted(settled + below, reverse=True)[:wanted]
    if len(settled) >= wanted:
        # At least `wanted` candidates past the cursor score this or more: one scoring less cannot be
        # on the page, so its entry is not read.
        cut = settled[wanted - 1]
        candidates = {entry_id: score for entry_id, score in candidates.items() if score >= cut}
    entries = _ENTRIES.rows(connection, ids=bound(list(candidates), "sqlite"))
    ranked = sorted(
        (RankedEntry(row.id, row.kind, row.key, candidates[row.id], row.title, row.body) for row in entries),
        key=lambda hit: (-hit.score, hit.kind, hit.key),
    )
    if after is not None:
        last = (after[1], after[2])
        ranked = [hit for hit in ranked if hit.score < last_score or (hit.kind, hit.key) > last]
    return int(matches), ranked[:wanted]


def _count(column_of: str, dialect: str) -> str:
    """SQL: how many space-separated terms a column holds."""
    if dialect == "postgresql":
        return f"cardinality(string_to_array({column_of}, ' '))"
    return f"(length({column_of}) - length(replace({column_of}, ' ', '')) + ({column_of} <> ''))"


def _weighted_terms(dialect: str) -> str:
    """SQL (SQLite): every term of every entry, one row each, with its weight, its entry's id and length."""
    length = f"({_count('e.title_terms', dialect)} + {_count('e.body_terms', dialect)})"
    terms_of = [
        f"""json_each('["' || replace(e.{name}, ' ', '","') || '"]') AS t"""
        for name in ("title_terms", "body_terms")
    ]
    return " UNION ALL ".join(
        f"SELECT e.id, t.value AS term, {weight} AS weight, {length} AS length "  # noqa: S608
        f"FROM search_entry e, {terms}"
        for weight, terms in zip((str(TITLE_WEIGHT), str(BODY_WEIGHT)), terms_of, strict=True)
    )


def _postings(dialect: str) -> str:
    """SQL: every entry's postings (term, weight, length, entry id)."""
    if dialect == "postgresql":
        # Each entry's term arrays split once and its terms summed within the entry: splitting them again
        # for every term's length, and grouping all entries' terms at once, cost most of a whole index.
        # OFFSET 0 keeps the split in its subquery (not re-evaluated per term). Weights as the column's
        # type, so they sum and compare as stored.
        return (
            "SELECT p.term, p.weight, cardinality(e.title) + cardinality(e.body), e.id FROM ("  # noqa: S608
            "SELECT id, string_to_array(title_terms, ' ') AS title, string_to_array(body_terms, ' ') AS body "
            "FROM search_entry OFFSET 0) AS e CROSS JOIN LATERAL ("
            "SELECT term, sum(weight) AS weight FROM (SELECT unnest(e.title) AS term, "
            f"CAST({TITLE_WEIGHT} AS REAL) AS weight "
            f"UNION ALL SELECT unnest(e.body), CAST({BODY_WEIGHT} AS REAL)"
            ") AS w WHERE term <> '' GROUP BY term) AS p"
        )
    return (
        f"SELECT term, sum(weight), length, id FROM ({_weighted_terms(dialect)}) AS w "  # noqa: S608
        "WHERE term <> '' GROUP BY id, term, length"
    )


def _derive(dialect: str) -> list[str]:
    """Every entry's postings at once, in key order: appending to the B-tree instead of inserting all over
    it as the triggers do, which is much faster for a whole index; and a table stored in its key's order
    has its key ranges read by index scans (PostgreSQL plans from that order). Built from constants only:
    no input."""
    length = f"({_count('e.title_terms', dialect)} + {_count('e.body_terms', dialect)})"
    return [
        "DELETE FROM search_posting",
        "DELETE FROM search_term",
        "DELETE FROM search_tally",
        "INSERT INTO search_posting (term, weight, length, entry_id) "
        f"{_postings(dialect)} ORDER BY 1, 2, 3, 4",
        "INSERT INTO search_term (term, entries) SELECT term, count(*) FROM search_posting GROUP BY term",
        "INSERT INTO search_tally (id, entries, terms) "  # noqa: S608
        f"SELECT 1, count(*), coalesce(sum({length}), 0) FROM search_entry e",
    ]


def derive(connection: Connection) -> None:
    """Derive every posting, term count and the tally again from search_entry, in one pass (their triggers
    off, or the postings would be counted twice)."""
    if connection.dialect.name == "postgresql":
        # One statement over every entry: at 100,000 claims it runs past the per-statement time limit
        # meant for requests. This is maintenance (a rebuild, a load), never a request's work.
        connection.execute(text("SET LOCAL statement_timeout = 0"))
    for statement in _derive(connection.dialect.name):
        connection.execute(text(statement))


_POSTING_TRIGGERS = {
    "sqlite": text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_entry_postings_%'"
    ),
    # Only those enabled: inside the bulk loader's `deferred_upkeep` they are all off, and it derives them.
    "postgresql": text(
        "SELECT tgname, NULL FROM pg_trigger WHERE tgrelid = 'search_entry'::regclass "
        "AND tgname LIKE 'search_entry_postings_%' AND tgenabled <> 'D'"
    ),
}


@contextmanager
def derived_after(connection: Connection) -> Iterator[None]:
    """Replace every search entry inside this block, then derive all their postings in one pass.

    The triggers that keep the postings (migrations 0007, 0020) are off for the block and back after it,
    in the same transaction: an error inside rolls all of it back. SQLite's are dropped and created again
    from their own definitions; PostgreSQL's disabled (a lock that blocks writers, not readers). Does
    nothing where there are no such triggers, or none enabled.
    """
    dialect = connection.dialect.name
    triggers = connection.execute(_POSTING_TRIGGERS[dialect]).all() if dialect in _POSTING_TRIGGERS else []
    for name, _ in triggers:
        if dialect == "sqlite":
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            connection.execute(text(f'ALTER TABLE search_entry DISABLE TRIGGER "{name}"'))
    yield
    if triggers:
        derive(connection)
    for name, definition in triggers:
        if dialect == "sqlite":
            connection.execute(text(definition))
        else:
            connection.execute(text(f'ALTER TABLE search_entry ENABLE TRIGGER "{name}"'))
