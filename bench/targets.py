"""The endpoints measured, with the values they ask for (picked from the corpus) and Datasette's equivalents.

Datasette answers each endpoint with a canned query returning the same rows as JSON, written with the
same index-friendly SQL as the service's and reading the same derived tables, so the comparison measures
the serving stack rather than a worse query: a claim, or a page of one theme's (and one entity's) claims,
is each claim's stored answer (claim_body, migration 0009) read through the same range (claim_by_theme,
claim_pair), which Datasette decodes and encodes again as its JSON does; a search reads the same
postings.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from app.services.pagination import encode_cursor
from app.services.search.analyzer import term

PAGE = 20
# Columns Datasette should decode, so that it answers nested JSON as the service does.
JSON_COLUMNS = ("span", "themes", "entities", "context", "aliases", "external_ids", "body")


@dataclass(frozen=True)
class Endpoint:
    """One benchmarked request: the service's path, and Datasette's canned query (if it has one)."""

    name: str
    path: str
    query: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    indexed: bool = True
    # Datasette's `_shape`: `array` (a row per object), or `arrayfirst` (each row's first column, here a
    # claim's stored answer, decoded as JSON: the claims themselves).
    shape: str = "array"

    def datasette_path(self, database: str) -> str | None:
        if self.query is None:
            return None
        extra = [("_shape", self.shape), *(("_json", column) for column in JSON_COLUMNS)]
        return f"/{database}/{self.name}.json?" + urlencode([*self.params.items(), *extra])


@dataclass(frozen=True)
class Picks:
    """Values from the corpus the requests use: typical, not the best case."""

    theme: str
    theme_id: int
    entity: str
    entity_id: int
    claim: str
    alias: str
    word: str
    deep_key: tuple[str, int, int, str]


def _one(connection: sqlite3.Connection, sql: str, *params: object) -> tuple[object, ...]:
    row = connection.execute(sql, params).fetchone()
    assert row is not None, sql
    return tuple(row)


def pick(path: Path) -> Picks:
    """The theme ranked 2nd by use, an entity co-occurring with it (10th most often), the middle claim, an
    alias, a mid-frequency word, and the key 90% of the way through the theme's claims (a deep page)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        theme_id, theme = _one(
            connection,
            "SELECT t.id, t.slug FROM theme t JOIN claim_theme ct ON ct.theme_id = t.id "
            "GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1 OFFSET 1",
        )
        co_occurring = connection.execute(
            "SELECT e.id, e.slug FROM claim_entity ce JOIN claim_theme ct ON ct.claim_id = ce.claim_id "
            "JOIN entity e ON e.id = ce.entity_id WHERE ct.theme_id = ? "
            "GROUP BY e.id ORDER BY count(*) DESC, e.id LIMIT 10",
            (theme_id,),
        ).fetchall()
        entity_id, entity = co_occurring[-1]
        (claims,) = _one(connection, "SELECT max(rowid) FROM claim")
        assert isinstance(claims, int)
        (claim,) = _one(
            connection, "SELECT id FROM claim WHERE rowid >= ? ORDER BY rowid LIMIT 1", claims // 2
        )
        (alias,) = _one(
            connection,
            "SELECT a.alias FROM entity_alias a JOIN claim_entity ce ON ce.entity_id = a.entity_id "
            "GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1",
        )
        (count,) = _one(connection, "SELECT count(*) FROM claim_theme WHERE theme_id = ?", theme_id)
        assert isinstance(count, int)
        deep = _one(
            connection,
            "SELECT c.document_id, c.span_start, c.span_end, c.id FROM claim c JOIN claim_theme ct "
            "ON ct.claim_id = c.id AND ct.theme_id = ? "
            "ORDER BY c.document_id, c.span_start, c.span_end, c.id LIMIT 1 OFFSET ?",
            theme_id,
            int(count * 0.9),
        )
    finally:
        connection.close()
    return Picks(
        theme=str(theme),
        theme_id=int(str(theme_id)),
        entity=str(entity),
        entity_id=int(entity_id),
        claim=str(claim),
        alias=str(alias),
        # Rank 197 of the 20,000 words: in about 1% of the claims, a distinctive word as searches use.
        word="mobile",
        deep_key=(str(deep[0]), int(str(deep[1])), int(str(deep[2])), str(deep[3])),
    )


# Claims as the API shapes them: each claim's stored answer (one column, `body`).
_BODY_SQL = "SELECT b.body FROM claim_body b "
# One theme's claims: a range of claim_by_theme (migration 0008), already in document order, as the
# service reads it; from a key when paging deep.
_THEME_RANGE = (
    "JOIN claim_by_theme r ON r.claim_id = b.claim_id "
    "WHERE r.theme_id = (SELECT id FROM theme WHERE slug = :theme) "
)
_RANGE_ORDER = f" ORDER BY r.document_id, r.span_start, r.span_end, r.claim_id LIMIT {PAGE}"
# One theme and one entity: a range of claim_pair (migration 0006), as the service reads it.
_PAIR = (
    "JOIN claim_pair r ON r.claim_id = b.claim_id "
    "WHERE r.theme_id = (SELECT id FROM theme WHERE slug = :theme) "
    "AND r.entity_id = (SELECT id FROM entity WHERE slug = :entity)"
)

# A one-word search as the service answers it (app.services.search.postings): the best entries of each
# weight group of the term read from search_posting, scored as FTS5's bm25 scores them, then FTS5's
# snippet for those 20 (reading the term's matches, but scoring none). Same hits, scores and snippets as
# ranking every match with bm25(search_fts, 2.0, 1.0).
_SEARCH_SQL = """
WITH RECURSIVE
 stats AS (SELECT coalesce((SELECT entries FROM search_term WHERE term = :term), 0) AS df, entries AS n,
   1.0 * terms / entries AS avgdl FROM search_tally),
 w(weight) AS (SELECT max(weight) FROM search_posting WHERE term = :term
   UNION ALL SELECT (SELECT max(weight) FROM search_posting WHERE term = :term AND weight < w.weight)
   FROM w WHERE w.weight IS NOT NULL),
 cand AS (SELECT p.entry_id, p.weight, p.length FROM w JOIN search_posting p
   ON p.term = :term AND p.weight = w.weight AND p.length <= coalesce((SELECT q.length FROM search_posting q
     WHERE q.term = :term AND q.weight = w.weight ORDER BY q.length, q.entry_id LIMIT 1 OFFSET 19),
     9223372036854775807)),
 top AS (SELECT s.id, s.kind, s.key, s.title,
   max(ln((n - df + 0.5) / (df + 0.5)), 1e-6)
     * ((c.weight * 2.2) / (c.weight + 1.2 * (1 - 0.75 + 0.75 * c.length / avgdl))) AS score
   FROM cand c JOIN search_entry s ON s.id = c.entry_id, stats ORDER BY score DESC, s.kind, s.key LIMIT 20)
SELECT top.kind AS type, top.key AS id, top.title, top.score,
  snippet(search_fts, -1, '<mark>', '</mark>', '…', 24) AS snippet
FROM top JOIN search_fts ON search_fts.rowid = top.id
WHERE search_fts MATCH :q ORDER BY top.score DESC, top.kind, top.key
"""

_ENTITY_SQL = """
SELECT e.slug, e.name, e.type, e.description,
  (SELECT json_group_array(a.alias) FROM entity_alias a WHERE a.entity_id = e.id) AS aliases,
  e.external_ids,
  (SELECT count(*) FROM claim_entity ce WHERE ce.entity_id = e.id) AS claim_count
FROM entity e
WHERE e.id = (SELECT entity_id FROM entity_alias WHERE alias_key = lower(:alias))
"""

# Disjunctive facets for a theme filter, as the service counts them: the theme facet over every claim,
# the other facets over the claims of the theme.
_FACETS_SQL = """
WITH picked AS (SELECT claim_id FROM claim_theme
                WHERE theme_id = (SELECT id FROM theme WHERE slug = :theme))
SELECT 'theme' AS facet, t.slug AS value, t.name AS label, count(*) AS count
  FROM claim_theme ct JOIN theme t ON t.id = ct.theme_id GROUP BY t.id
UNION ALL
SELECT 'entity', e.slug, e.name, count(*)
  FROM picked p JOIN claim_entity ce ON ce.claim_id = p.claim_id JOIN entity e ON e.id = ce.entity_id
  GROUP BY e.id
UNION ALL
SELECT 'kind', c.kind, c.kind, count(*) FROM picked p JOIN claim c ON c.id = p.claim_id GROUP BY c.kind
UNION ALL
SELECT 'document', d.id, d.title, count(*)
  FROM picked p JOIN claim c ON c.id = p.claim_id JOIN document d ON d.id = c.document_id GROUP BY d.id
"""


def endpoints(picks: Picks) -> list[Endpoint]:
    """Every benchmarked endpoint, in the order they are measured."""
    doc, start, end, claim_id = picks.deep_key
    cursor = encode_cursor("claims", [doc, start, end, claim_id])
    theme, entity = picks.theme, picks.entity
    return [
        Endpoint(
            "list_theme",
            f"/v1/claims?theme={theme}&limit={PAGE}",
            _BODY_SQL + _THEME_RANGE + _RANGE_ORDER,
            {"theme": theme},
            shape="arrayfirst",
        ),
        Endpoint(
            "list_theme_entity",
            f"/v1/claims?theme={theme}&entity={entity}&limit={PAGE}",
            _BODY_SQL + _PAIR + _RANGE_ORDER,
            {"theme": theme, "entity": entity},
            shape="arrayfirst",
        ),
        Endpoint(
            "claim",
            f"/v1/claims/{picks.claim}",
            _BODY_SQL + "WHERE b.claim_id = :id",
            {"id": picks.claim},
            shape="arrayfirst",
        ),
        Endpoint(
            "search",
            f"/v1/search?q={picks.word}&limit={PAGE}",
            _SEARCH_SQL,
            {"term": term(picks.word), "q": f'"{term(picks.word)}"'},
        ),
        Endpoint(
            "facets",
            # 1,000 values a facet: about what Datasette answers (its canned query stops at 1,000 rows).
            f"/v1/claims/facets?theme={theme}&size=1000",
            _FACETS_SQL,
            {"theme": theme},
            indexed=False,
        ),
        Endpoint(
            "entity_alias",
            "/v1/entities/" + picks.alias.replace(" ", "%20"),
            _ENTITY_SQL,
            {"alias": picks.alias},
        ),
        Endpoint(
            "deep_page",
            f"/v1/claims?theme={theme}&limit={PAGE}&cursor={cursor}",
            _BODY_SQL
            + _THEME_RANGE
            + "AND (r.document_id, r.span_start, r.span_end, r.claim_id) > "
            + "(:doc, CAST(:start AS INTEGER), CAST(:end AS INTEGER), :after)"
            + _RANGE_ORDER,
            {"theme": theme, "doc": doc, "start": str(start), "end": str(end), "after": claim_id},
            shape="arrayfirst",
        ),
    ]


def datasette_metadata(database: str, chosen: list[Endpoint]) -> dict[str, object]:
    """Datasette metadata with one canned query per endpoint."""
    queries = {e.name: {"sql": e.query} for e in chosen if e.query is not None}
    return {"databases": {database: {"queries": queries}}}
