"""Facet counts over the filtered claims (disjunctive per facet), in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
    union_all,
)

from app.db import Database
from app.models import RELATION_TYPES
from app.schemas.facets import DIMENSIONS, ClaimFacets, Dimension
from app.services import claim_plans
from app.services.claim_filters import ClaimFilters, ResolvedFilters, conditions, resolve
from app.services.dimensions import AXES
from app.services.id_sets import among, bound
from app.services.prepared import Prepared
from app.services.tables import (
    CLAIM,
    CLAIM_ENTITY,
    CLAIM_RELATION,
    CLAIM_TALLY,
    CLAIM_THEME,
    DOCUMENT,
    ENTITY,
    THEME,
)
from app.services.tallies import data_revision

Conditions = list[ColumnElement[Any]]
# A facet row: facet, value, label, entity type (or None), claim count, selected (0 or 1).
Row = Sequence[Any]
DEFAULT_SIZE = 50
MAX_SIZE = 1000
_NO_FILTERS = ClaimFilters()
_LABELS = {"theme": THEME, "entity": ENTITY, "document": DOCUMENT}


def _own_conditions(
    connection: Connection, filters: ClaimFilters
) -> tuple[dict[Dimension, Conditions], Conditions]:
    """Each facet's own filter as conditions, and the conditions of every other filter (q, scopes…)."""
    own: dict[Dimension, Conditions] = {
        "theme": conditions(connection, replace(_NO_FILTERS, themes=filters.themes)),
        "entity": conditions(connection, replace(_NO_FILTERS, entities=filters.entities)),
        "document": conditions(connection, replace(_NO_FILTERS, documents=filters.documents)),
        "kind": conditions(connection, replace(_NO_FILTERS, kinds=filters.kinds)),
    }
    rest = conditions(connection, replace(filters, themes=[], entities=[], documents=[], kinds=[]))
    return own, rest


def _row(dimension: Dimension, value: Any, label: Any, claims: Any, *, selected: int = 0) -> Select[Any]:
    """The columns of a facet row (`Row`), for one branch of the union."""
    return select(
        literal(dimension).label("facet"),
        value.label("value"),
        label.label("label"),
        AXES[dimension].type.label("type"),
        claims.label("claim_count"),
        literal(selected, Integer).label("selected"),
    )


def _tallied(dimension: Dimension) -> Select[Any]:
    """A facet over every claim, read from claim_tally (migration 0004) instead of counted: counting all
    the claims of every value grows with the corpus, reading the tallies only with the values."""
    axis = AXES[dimension]
    tally = (
        select(CLAIM_TALLY).where(CLAIM_TALLY.c.dimension == dimension, CLAIM_TALLY.c.claims > 0).subquery()
    )
    if dimension == "kind":
        return _row(dimension, tally.c.value, tally.c.value, tally.c.claims).select_from(tally)
    table = _LABELS[dimension]
    key = table.c.id if dimension == "document" else cast(table.c.id, String)
    source = tally.join(table, key == tally.c.value)
    return _row(dimension, axis.value, axis.label, tally.c.claims).select_from(source)


def _paired_entities() -> Select[Any]:
    """The entity facet of one theme's claims, read from the pair tallies (migration 0005) instead of
    counted: counting a popular theme's entity links would be most of a facets request.

    Values are `<theme id>:<entity id>`: one theme's pairs are the range [`pair_from`, `pair_to`), and
    the entity id starts at `pair_offset` (bound by `_params`)."""
    axis = AXES["entity"]
    tally = (
        select(CLAIM_TALLY)
        .where(
            CLAIM_TALLY.c.dimension == "pair",
            CLAIM_TALLY.c.value >= bindparam("pair_from", type_=String()),
            CLAIM_TALLY.c.value < bindparam("pair_to", type_=String()),
            CLAIM_TALLY.c.claims > 0,
        )
        .subquery()
    )
    entity_id = cast(func.substr(tally.c.value, bindparam("pair_offset", type_=Integer())), Integer)
    source = tally.join(ENTITY, ENTITY.c.id == entity_id)
    return _row("entity", axis.value, axis.label, tally.c.claims).select_from(source)


def _paired_themes() -> Select[Any]:
    """The theme facet of one entity's claims, read from the pair tallies: one probe per theme for
    `<theme id><pair_suffix>`, rather than counting the entity's theme links, which grow with its claims."""
    axis = AXES["theme"]
    pair = cast(THEME.c.id, String) + bindparam("pair_suffix", type_=String())
    on = and_(CLAIM_TALLY.c.dimension == "pair", CLAIM_TALLY.c.value == pair)
    source = THEME.join(CLAIM_TALLY, on)
    return (
        _row("theme", axis.value, axis.label, CLAIM_TALLY.c.claims)
        .select_from(source)
        .where(CLAIM_TALLY.c.claims > 0)
    )


def _labelled(dimension: Dimension, counts: Any) -> Select[Any]:
    """Facet rows for `counts` (claims per value `key`), with each value's label (a kind is its own)."""
    if dimension == "kind":
        return _row(dimension, counts.c.key, counts.c.key, counts.c.claims).select_from(counts)
    axis = AXES[dimension]
    table = _LABELS[dimension]
    source = counts.join(table, table.c.id == counts.c.key)
    return _row(dimension, axis.value, axis.label, counts.c.claims).select_from(source)


def _counted(dimension: Dimension, where: Conditions) -> Select[Any]:
    """A facet over the claims matching `where`: claims counted per value key, then labelled.

    Counts per id before joining the labels, so each label is joined once per value rather than once per
    link, and counts rows rather than distinct claims (a claim links to a value once), which needs no sort.
    """
    if not where:
        return _tallied(dimension)
    source: Any = CLAIM
    key: ColumnElement[Any] = CLAIM.c.kind if dimension == "kind" else CLAIM.c.document_id
    if dimension in {"theme", "entity"}:
        # An alias: the filters' own subqueries on the link tables must not correlate with this one.
        link = (CLAIM_THEME if dimension == "theme" else CLAIM_ENTITY).alias()
        key = link.c.theme_id if dimension == "theme" else link.c.entity_id
        source = CLAIM.join(link, link.c.claim_id == CLAIM.c.id)
    counts = select(key.label("key"), func.count().label("claims")).select_from(source).where(*where)
    return _labelled(dimension, counts.group_by(key).subquery())


@dataclass(frozen=True)
class _Source:
    """The claims a facet counts, when they can be read cheaply: every claim (`of` "all"), or the claims
    of one theme, one entity or both (`of` a key of `claim_plans.RANGES`), perhaps only those of the
    documents bound as `documents`."""

    of: str
    documents: bool = False


def _range_where(source: _Source, dialect: str) -> tuple[Any, list[ColumnElement[bool]]]:
    """The table of claims in order that `source` is a range of, and the conditions selecting the range."""
    ranged = claim_plans.RANGES[source.of]
    names = [name for name in ("theme", "entity") if f"{name}_id" in ranged.c]
    where = [ranged.c[f"{name}_id"] == bindparam(name) for name in names]
    if source.documents:
        where.append(among(ranged.c.document_id, "documents", dialect))
    return ranged, where


def _ranged_kinds_and_documents(source: _Source, dialect: str) -> tuple[Select[Any], Select[Any]]:
    """The kind and document facets of a range that holds each claim's kind, from one pass over the
    range: claims counted per (document, kind), then summed each way. Counted apart, a popular theme's
    range was read twice, and the two reads were most of the database's time for its facets."""
    ranged, where = _range_where(source, dialect)
    pairs = (
        select(ranged.c.document_id, ranged.c.kind, func.count().label("claims"))
        .where(*where)
        .group_by(ranged.c.document_id, ranged.c.kind)
        .cte(f"{source.of}_kind_document_counts")
    )

    def summed(key: ColumnElement[Any]) -> Subquery:
        claims = cast(func.sum(pairs.c.claims), Integer).label("claims")
        return select(key.label("key"), claims).group_by(key).subquery()

    return _labelled("kind", summed(pairs.c.kind)), _labelled("document", summed(pairs.c.document_id))


def _counted_together(sources: dict[Dimension, _Source | None], dialect: str) -> dict[Dimension, Select[Any]]:
    """The kind and document facets from one pass over their range, when both count the same range
    and it holds each claim's kind; else nothing."""
    source = sources["kind"]
    if source is None or source != sources["document"] or source.of == "all":
        return {}
    if "kind" not in claim_plans.RANGES[source.of].c:
        return {}
    kinds, documents = _ranged_kinds_and_documents(source, dialect)
    return {"kind": kinds, "document": documents}


def _ranged(dimension: Dimension, source: _Source, dialect: str) -> Select[Any]:
    """A facet counted over a range of a table of claims in order (`claim_plans.RANGES`, bound as
    `theme`, `entity`) instead of over the claims the links select: one theme's documents are counted
    from its rows alone, without a lookup per claim. Its kinds come from the range too where it holds
    them (one theme's, one entity's: migration 0010), else from each claim's row, a lookup per claim."""
    ranged, where = _range_where(source, dialect)
    joined: Any = ranged
    key: ColumnElement[Any] = ranged.c.document_id
    if dimension == "kind" and "kind" in ranged.c:
        key = ranged.c.kind
    elif dimension == "kind":
        joined, key = ranged.join(CLAIM, CLAIM.c.id == ranged.c.claim_id), CLAIM.c.kind
    elif dimension in {"theme", "entity"}:
        link = CLAIM_THEME if dimension == "theme" else CLAIM_ENTITY
        key = link.c.theme_id if dimension == "theme" else link.c.entity_id
        joined = ranged.join(link, link.c.claim_id == ranged.c.claim_id)
    counts = select(key.label("key"), func.count().label("claims")).select_from(joined).where(*where)
    return _labelled(dimension, counts.group_by(key).subquery())


def _branch(dimension: Dimension, source: _Source, dialect: str) -> Select[Any]:
    """The rows of one facet counted over `source`."""
    if source.of == "all":
        return _tallied(dimension)
    if source == _Source("theme") and dimension == "entity":
        return _paired_entities()
    if source == _Source("entity") and dimension == "theme":
        return _paired_themes()
    return _ranged(dimension, source, dialect)


def _top(branch: Select[Any], selected_values: Select[Any] | None) -> Select[Any]:
    """A facet's rows cut to the `size` largest counts, ties at the last one kept, and its selected values
    (`selected_values`, whatever their count), so that `_answer` orders and cuts the same values it
    would from every row, but the database sends a page rather than a facet of thousands of entities."""
    rows = branch.subquery()
    rank = func.rank().over(order_by=rows.c.claim_count.desc()).label("count_rank")
    ranked = select(rows, rank).subquery()
    keep: ColumnElement[bool] = ranked.c.count_rank <= bindparam("size", type_=Integer())
    if selected_values is not None:
        keep = or_(keep, ranked.c.value.in_(selected_values.scalar_subquery()))
    return select(*(ranked.c[column.key] for column in rows.c)).where(keep)


def _selected(dimension: Dimension, where: ColumnElement[bool]) -> Select[Any]:
    """The selected values themselves, so that one matching no claim still shows (with count 0)."""
    axis = AXES[dimension]
    return (
        _row(dimension, axis.value, axis.label, literal(0, Integer), selected=1)
        .select_from(_LABELS[dimension])
        .where(where)
    )


# The facets whose selected values are read from a table: each one's column and whether it is an id.
_SELECTABLE: tuple[tuple[Dimension, ColumnElement[Any], bool], ...] = (
    ("theme", THEME.c.slug, False),
    ("entity", ENTITY.c.id, True),
    ("document", DOCUMENT.c.id, False),
)
Sources = tuple[_Source | None, ...]


def _branches(
    sources: Sources, selecting: tuple[bool, ...], dialect: str, counted: dict[Dimension, Select[Any]]
) -> list[Select[Any]]:
    """Each facet's rows (`sources` in `DIMENSIONS` order; `counted` for a facet with none) cut to its
    `size` largest counts, then the selected values of the facets `selecting` says (bound as
    `selected_<facet>`)."""
    selections = {
        dimension: among(column, f"selected_{dimension}", dialect, integers=ids)
        for (dimension, column, ids), wanted in zip(_SELECTABLE, selecting, strict=True)
        if wanted
    }
    by_dimension = dict(zip(DIMENSIONS, sources, strict=True))
    ranged_together = _counted_together(by_dimension, dialect)
    branches = []
    for dimension, source in by_dimension.items():
        if dimension in ranged_together:
            branch = ranged_together[dimension]
        else:
            branch = counted[dimension] if source is None else _branch(dimension, source, dialect)
        if dimension == "kind":  # a handful of values, the selected ones added by `_answer`: not cut
            branches.append(branch)
            continue
        where = selections.get(dimension)
        values = None if where is None else select(AXES[dimension].value).where(where)
        branches.append(_top(branch, values))
    branches += [_selected(dimension, where) for dimension, where in selections.items()]
    return branches


@cache
def _statement(sources: Sources, selecting: tuple[bool, ...], dialect: str) -> Prepared:
    """`_branches` as one statement, built once per shape, when no facet needs counting."""
    return Prepared(union_all(*_branches(sources, selecting, dialect, {})))


def _one(values: list[list[Any]]) -> Any:
    """The value of a single filter naming a single value (after resolving), else None."""
    if len(values) == 1 and len(set(values[0])) == 1:
        return values[0][0]
    return None


def _sources(filters: ClaimFilters, resolved: ResolvedFilters) -> Sources:
    """Each facet's `_Source`, in `DIMENSIONS` order: None where the facet's filters (all but its own)
    are not at most one theme and one entity, with any documents but no kind; that facet is counted.

    A kind filter is left to counting: testing the kind of each claim of a range reads its claim row,
    which costs as much as counting plainly or more."""
    scopes = (filters.scope_theme, filters.scope_entity, filters.scope_document)
    filtered = (
        filters.query is not None
        or filters.related.active
        or filters.orphaned is not None
        or filters.measures.active
    )
    if filtered or any(scope is not None for scope in scopes):
        return (None,) * len(DIMENSIONS)
    linked = {
        "theme": (filters.themes, resolved.theme_ids),
        "entity": (filters.entities, resolved.entity_ids),
    }
    sources: list[_Source | None] = []
    for dimension in DIMENSIONS:
        applied = {name: ids for name, (given, ids) in linked.items() if given and name != dimension}
        documents = bool(filters.documents) and dimension != "document"
        if (filters.kinds and dimension != "kind") or any(_one(ids) is None for ids in applied.values()):
            sources.append(None)
        elif not applied:
            sources.append(None if documents else _Source("all"))
        else:
            sources.append(_Source("pair" if len(applied) == 2 else next(iter(applied)), documents))
    return tuple(sources)


def _params(filters: ClaimFilters, resolved: ResolvedFilters, dialect: str, size: int) -> dict[str, Any]:
    """The values `_branches` binds, for whichever sources the filters give."""
    params: dict[str, Any] = {"size": size}
    if filters.themes:
        params["selected_theme"] = bound(filters.themes, dialect)
        if (theme_id := _one(resolved.theme_ids)) is not None:
            prefix = f"{theme_id}:"
            params |= {"theme": theme_id, "pair_from": prefix, "pair_to": f"{theme_id};"}
            params["pair_offset"] = len(prefix) + 1
    if filters.entities:
        params["selected_entity"] = bound(resolved.entity_ids[0], dialect)
        if (entity_id := _one(resolved.entity_ids)) is not None:
            params |= {"entity": entity_id, "pair_suffix": f":{entity_id}"}
    if filters.documents:
        params["documents"] = params["selected_document"] = bound(filters.documents, dialect)
    return params


def _rows(
    connection: Connection, filters: ClaimFilters, resolved: ResolvedFilters, size: int
) -> Sequence[Row]:
    """Every facet's rows, then the selected values: from the tallies and the tables of claims in order
    (`_sources`) in one prepared statement; the facets they cannot serve counted plainly."""
    dialect = connection.dialect.name
    sources = _sources(filters, resolved)
    selecting = (bool(filters.themes), bool(filters.entities), bool(filters.documents))
    params = _params(filters, resolved, dialect, size)
    if None not in sources:
        return _statement(sources, selecting, dialect).tuples(connection, **params)
    own, rest = _own_conditions(connection, filters)
    counted = {
        dimension: _counted(
            dimension, rest + [c for other in DIMENSIONS if other != dimension for c in own[other]]
        )
        for dimension, source in zip(DIMENSIONS, sources, strict=True)
        if source is None
    }
    union = union_all(*_branches(sources, selecting, dialect, counted))
    return connection.execute(union, params).all()


def claim_facets(database: Database, filters: ClaimFilters, *, size: int = DEFAULT_SIZE) -> ClaimFacets:
    """Counts per theme, entity, kind and document over the claims matching `filters`: at most `size`
    values a facet, the largest counts first, and the selected values whatever their rank.

    Each facet's counts apply every filter except that facet's own (disjunctive faceting): a value's count
    is how many claims the list would hold with that value as the facet's only filter value.
    """
    with database.read() as connection:
        return _counted_facets(connection, filters, size)


def kept_facets_json(database: Database, filters: ClaimFilters, *, size: int = DEFAULT_SIZE) -> bytes | None:
    """The JSON of `claim_facets` as this process kept it, if the data have not changed since; else None."""
    if database.answers.max_bytes == 0:
        return None
    with database.read(snapshot=False) as connection:
        revision = data_revision(connection)
    return database.answers.get(_answer_key(filters, size), revision)


def claim_facets_json(database: Database, filters: ClaimFilters, *, size: int = DEFAULT_SIZE) -> bytes:
    """The JSON of `claim_facets`, kept by this process for as long as the data revision stays the one it
    was counted at (read first, in the same transaction: the counts are of that revision or a later one).

    Requests that missed the same answer together queue for the slow-read slots; each looks for it
    again first, so only those already running count it, not every one of them."""
    key = _answer_key(filters, size)
    with database.read() as connection:
        revision = data_revision(connection)
        kept = database.answers.get(key, revision)
        if kept is not None:
            return kept
        facets = _counted_facets(connection, filters, size)
    answer = facets.__pydantic_serializer__.to_json(facets)
    database.answers.put(key, revision, answer)
    return answer


def _answer_key(filters: ClaimFilters, size: int) -> str:
    """What names a facets answer: the parsed filters (a dataclass: its repr shows every field) and size."""
    return f"facets size={size} {filters!r}"


def _counted_facets(connection: Connection, filters: ClaimFilters, size: int) -> ClaimFacets:
    """`claim_facets` on an open read."""
    # Validated in the order /v1/claims validates them, so both name the same unknown value first.
    resolved = resolve(connection, filters)
    total = claim_plans.total(connection, resolved)
    rows = _rows(connection, filters, resolved, size)
    relations = _relation_counts(connection, resolved)
    # By count (largest first), then label, as the other facets; every type listed, even at 0.
    ranked = sorted(RELATION_TYPES, key=lambda kind: (-relations.get(kind, 0), kind))
    selected = set(filters.related.types)
    relation = [
        {"value": kind, "label": kind, "count": relations.get(kind, 0), "selected": kind in selected}
        for kind in ranked
    ]
    return _answer(total, rows, filters.kinds, size, relation)


def _relation_counts(connection: Connection, resolved: ResolvedFilters) -> dict[str, int]:
    """Claims per relation type (as subject or object) under every filter but the relation types'."""
    others = replace(resolved, related=replace(resolved.related, types=[]))
    ends = _relation_ends()
    counted = (
        select(ends.c.type, func.count(distinct(ends.c.claim_id)))
        .join_from(ends, CLAIM, CLAIM.c.id == ends.c.claim_id)
        .where(*others.conditions(connection.dialect.name))
        .group_by(ends.c.type)
    )
    return {kind: int(count) for kind, count in connection.execute(counted)}


@cache
def _relation_ends() -> Subquery:
    """Each relation's two claims (type, claim_id), walked from the relations (few beside the claims), each
    claim then tested against the filters. A subquery of its own: the filters' subqueries on
    claim_relation must not correlate with it. Built once: its columns cost more to set up than the
    statement takes to run."""
    return union_all(
        select(CLAIM_RELATION.c.type, CLAIM_RELATION.c.subject_id.label("claim_id")),
        select(CLAIM_RELATION.c.type, CLAIM_RELATION.c.object_id.label("claim_id")),
    ).subquery("related")


# A facet value being merged: minus its count, label, value, entity type, selected. Sorting these
# lists as they are orders by count (largest first), label, then value (unique in a facet), with no key
# function called per value: a theme's entity facet may have thousands.
_Value = list[Any]


def _answer(
    total: int, rows: Sequence[Row], kinds: list[str], size: int, relation: list[dict[str, Any]]
) -> ClaimFacets:
    """The answer from the facet rows and the relation facet: a value's rows merged (its count, selected
    by any row), each facet ordered and cut to `size`; validated once, as plain data (a model per value,
    or a second validation of thousands of entity values, costs more)."""
    merged: dict[str, dict[str, _Value]] = {dimension: {} for dimension in DIMENSIONS}
    for facet, value, label, entity_type, count, selected in rows:
        found = merged[facet].get(value)
        if found is None:
            merged[facet][value] = [-int(count), label, value, entity_type, bool(selected)]
        else:
            found[0] = min(found[0], -int(count))
            found[4] = found[4] or bool(selected)
    for kind in kinds:  # kinds have no table to select them from
        merged["kind"].setdefault(kind, [0, kind, kind, None, False])[4] = True
    facets = {
        facet: [_item(value, typed=facet == "entity") for value in _ordered(values, size)]
        for facet, values in merged.items()
    }
    return ClaimFacets.model_validate({"total": total, "facets": facets | {"relation": relation}})


def _ordered(values: dict[str, _Value], size: int) -> list[_Value]:
    """The `size` largest counts and every selected value; largest count first, then by label (and value,
    so that the order is total)."""
    ranked = sorted(values.values())
    return [value for rank, value in enumerate(ranked) if rank < size or value[4]]


def _item(value: _Value, *, typed: bool) -> dict[str, Any]:
    """A facet value as the answer holds it (an entity's with its type)."""
    item = {"value": value[2], "label": value[1], "count": -value[0], "selected": value[4]}
    if typed:
        item["type"] = value[3]
    return item
