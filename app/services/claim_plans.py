"""How a filtered claim list is counted and paged, chosen so neither grows with the whole corpus.

`meta.total` is read from `claim_tally` (kept exact by triggers, migration 0004) when the list has at
most one value per filter and one filter, or one theme and one entity (their pair is tallied too). A
list of one theme, one entity, or one theme and one entity is paged as a range of a table keyed by that
value and then the claims' order key (`claim_by_theme`, `claim_by_entity`, migration 0008; `claim_pair`,
0006): from the start or from a cursor alike, with no walk and no sort. Any other intersection of single
values (two entities, an entity AND a kind …) is counted exactly by walking its smallest member's links
(sizes from the tallies) and probing the others' primary keys: its cost grows with that member, not with
the corpus. When that member is small enough (`GATHER_AT_MOST`), the same walk reads every match's order
key instead, and the page is cut from those keys: one walk answers both the count and the page. Anything
else is counted plainly.

Such a page either walks the claims in document order (the order index) testing each one's membership
with a primary-key probe — cheap when matches are dense: about `limit x claims / total` probes, from the
cursor as from the start — or, when matches are sparse, reads the matches through the filter's index and
sorts them (`total` rows). The cheaper one is picked from `total`, the tallied corpus size and
`PROBES_PER_DRIVEN_ROW`. Page statements for single-valued filters are built once per shape
(`page_statement`) and run as prepared statements, their values bound. A page read in document order (a
range, a walk, a kind's or document's index) reads its claims whole as it finds them, each claim's
stored answer (`claim_body`, app.services.claim_bodies); a sorted page reads only order keys, and its
claims by id afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    TableClause,
    bindparam,
    cast,
    exists,
    func,
    select,
    tuple_,
)

from app.services.claim_filters import ResolvedFilters
from app.services.prepared import Prepared
from app.services.tables import (
    CLAIM,
    CLAIM_BODY,
    CLAIM_BY_ENTITY,
    CLAIM_BY_THEME,
    CLAIM_ENTITY,
    CLAIM_PAIR,
    CLAIM_TALLY,
    CLAIM_THEME,
    ENTITY,
    ENTITY_ALIAS,
    THEME,
)
from app.services.tallies import tallied, tally

CLAIM_COLUMNS = (
    CLAIM.c.id,
    CLAIM.c.statement,
    CLAIM.c.quote,
    CLAIM.c.kind,
    CLAIM.c.document_id,
    CLAIM.c.span_start,
    CLAIM.c.span_end,
)
# Document, then position in it; the id breaks ties so the order (and the cursor) is total.
CLAIM_ORDER = (CLAIM.c.document_id, CLAIM.c.span_start, CLAIM.c.span_end, CLAIM.c.id)


# A claim's order key, as the tables of claims in order hold it (app/models/claim_order.py).
ORDER_KEY = ("document_id", "span_start", "span_end", "claim_id")


# The tables a range page reads, by what the range is of: a pair, a theme, or an entity.
RANGES = {"pair": CLAIM_PAIR, "theme": CLAIM_BY_THEME, "entity": CLAIM_BY_ENTITY}


def _range_order(ranged: TableClause) -> tuple[ColumnElement[Any], ...]:
    """The order key of a table of claims in order, as columns."""
    return tuple(ranged.c[name] for name in ORDER_KEY)


def _past_cursor(order: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    """Rows after the cursor's key, bound as `k0`…`k3`, in the order `order`."""
    keys = [bindparam(f"k{index}", type_=key.type) for index, key in enumerate(order)]
    return tuple_(*order) > tuple_(*keys)


@dataclass(frozen=True)
class _Atom:
    """One single-valued filter: a dimension and the value the tally names it by."""

    dimension: str
    value: Any

    @property
    def tally_value(self) -> str:
        return str(self.value)


def _atoms(resolved: ResolvedFilters) -> list[_Atom] | None:
    """The filters as single values, or None when one filter ORs several values or there is a query."""
    groups: list[tuple[str, list[Any]]] = [
        *(("theme", ids) for ids in resolved.theme_ids),
        *(("entity", ids) for ids in resolved.entity_ids),
        *(("document", ids) for ids in resolved.document_ids),
    ]
    if resolved.kinds:
        groups.append(("kind", resolved.kinds))
    if resolved.query is not None or any(len(set(values)) != 1 for _, values in groups):
        return None
    return [_Atom(dimension, values[0]) for dimension, values in groups]


def _member(atom: _Atom, value: Any = None, *, of: ColumnElement[Any] = CLAIM.c.id) -> ColumnElement[bool]:
    """Claim-row condition for one value: a primary-key probe for links, a column test otherwise.

    `value` replaces the atom's own value (a bindparam, for a statement built once); `of` is the claim id
    a link probe correlates with (the claim's own, or another link's)."""
    value = atom.value if value is None else value
    if atom.dimension in {"theme", "entity"}:
        # An alias, so that the probe correlates with the claim, never with a link table of the outer query.
        link = (CLAIM_THEME if atom.dimension == "theme" else CLAIM_ENTITY).alias()
        key = link.c.theme_id if atom.dimension == "theme" else link.c.entity_id
        return exists().where(link.c.claim_id == of, key == value).correlate(of.table)
    column = CLAIM.c.document_id if atom.dimension == "document" else CLAIM.c.kind
    condition: ColumnElement[bool] = column == value
    return condition


# An intersection whose smallest value holds at most this many claims is read whole (keys only).
GATHER_AT_MOST = 5_000

# A claim read through its filter's index (link row, probes, claim row, its share of the sort) costs
# about this many probes of a walk down the order index: 1.3-2.1 us against 0.2-0.6 us per claim walked
# at 100,000 claims (SQLite, measured for every fourth theme and for a theme with an entity).
PROBES_PER_DRIVEN_ROW = 4

# How a page is read: each single-valued filter's dimension and whether it drives the plan.
PageShape = tuple[tuple[str, bool], ...]
LINKED = frozenset({"theme", "entity"})


def _linked_matches(atoms: Sequence[tuple[_Atom, Any]]) -> tuple[Select[Any], list[ColumnElement[bool]]]:
    """The ids of claims linked to the first atom's value (a theme or entity) whose links to the other
    themes and entities are probed from the driver's link rows, before any claim row is read; and the
    claim-row conditions of the other atoms (document, kind). Each atom comes with the value to bind.

    Probing from the link rather than the claim (1.9 -> 1.3 ms for a theme and an entity at 100,000
    claims) makes only matches cost a claim lookup."""
    (driver, driver_value), *others = atoms
    link = CLAIM_THEME if driver.dimension == "theme" else CLAIM_ENTITY
    key = link.c.theme_id if driver.dimension == "theme" else link.c.entity_id
    probes = [_member(atom, value, of=link.c.claim_id) for atom, value in others if atom.dimension in LINKED]
    columns = [_member(atom, value) for atom, value in others if atom.dimension not in LINKED]
    return select(link.c.claim_id).where(key == driver_value, *probes), columns


def pair_of(atoms: Sequence[_Atom]) -> str | None:
    """The pair tally value (`<theme id>:<entity id>`) of exactly one theme and one entity, else None."""
    if sorted(atom.dimension for atom in atoms) != ["entity", "theme"]:
        return None
    ids = {atom.dimension: atom.value for atom in atoms}
    return f"{ids['theme']}:{ids['entity']}"


def _bound(dimensions: Sequence[str]) -> list[tuple[_Atom, Any]]:
    return [(_Atom(dimension, None), bindparam(f"v{index}")) for index, dimension in enumerate(dimensions)]


@cache
def gather_statement(dimensions: tuple[str, ...]) -> Prepared:
    """Every match's order key, in order, for an intersection driven by its first dimension's links
    (a theme or an entity; values bound as `v0`, `v1`…), built once per shape."""
    matching, columns = _linked_matches(_bound(dimensions))
    return Prepared(select(*CLAIM_ORDER).where(CLAIM.c.id.in_(matching), *columns).order_by(*CLAIM_ORDER))


def reads_whole_claims(shape: PageShape) -> bool:
    """Whether `page_statement` for `shape` can read whole claims: when no theme's or entity's links
    drive it, its rows come in the order index's order and only the page's rows read their stored
    answers. Driven by links, the matches are sorted, and every match's answer would be read first."""
    return not any(driven and dimension in LINKED for dimension, driven in shape)


def _with_body(source: Any, claim_id: ColumnElement[Any]) -> Any:
    """`source` joined to the stored answers by `claim_id`."""
    return source.join(CLAIM_BODY, CLAIM_BODY.c.claim_id == claim_id)


@cache
def page_statement(shape: PageShape, after_key: bool, whole: bool = False) -> Prepared:
    """The page query for a plan's shape, built once: filter values are bindparams `v0`, `v1`…, the
    cursor's key `k0`…`k3`, and the row limit `limit`. With `whole` (for shapes that
    `reads_whole_claims`), each row is the whole claim, its order key and stored answer (the columns of
    `claims.claims_rows`): the page is one statement instead of two."""
    drivers = [index for index, (dimension, driven) in enumerate(shape) if driven and dimension in LINKED]
    if drivers:
        # Driven by a theme's or entity's links: the others are probed from those (_linked_matches).
        bound = _bound([dimension for dimension, _ in shape])
        first = drivers[0]
        matching, conditions = _linked_matches([bound[first], *bound[:first], *bound[first + 1 :]])
        conditions.append(CLAIM.c.id.in_(matching))
    else:
        # A document or a kind drives through its own index on claim rows.
        conditions = [_member(atom, value) for atom, value in _bound([dimension for dimension, _ in shape])]
    if after_key:
        conditions.append(_past_cursor(CLAIM_ORDER))
    columns = [*CLAIM_ORDER, CLAIM_BODY.c.body] if whole else list(CLAIM_ORDER)
    source = _with_body(CLAIM, CLAIM.c.id) if whole else CLAIM
    statement = select(*columns).select_from(source).where(*conditions).order_by(*CLAIM_ORDER)
    return Prepared(statement.limit(bindparam("limit", type_=Integer())))


def _range_values(ranged: TableClause) -> list[ColumnElement[Any]]:
    """The columns a table of claims in order is keyed by before the order key (link ids)."""
    return [value for value in ranged.c if value.name not in ORDER_KEY and value.name != "kind"]


def _theme_named() -> ColumnElement[Any]:
    """The id of the theme whose slug is bound as `slug` (NULL when none)."""
    return select(THEME.c.id).where(THEME.c.slug == bindparam("slug")).scalar_subquery()


def _entity_named() -> ColumnElement[Any]:
    """The id of the entity whose slug, name or alias has the lookup key bound as `entity_key` (NULL
    when none): what `entities.entity_ids_by_key` finds, as a subquery. Writes keep every key naming one
    entity at most, so the first found is the only one."""
    key = bindparam("entity_key", type_=String())
    by_slug = select(ENTITY.c.id).where(ENTITY.c.slug == key).scalar_subquery()
    by_name = select(ENTITY.c.id).where(ENTITY.c.name_key == key).scalar_subquery()
    by_alias = select(ENTITY_ALIAS.c.entity_id).where(ENTITY_ALIAS.c.alias_key == key).scalar_subquery()
    return func.coalesce(by_slug, by_name, by_alias)


def _named_total(of: str, named: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    """The tallied count of the claims of the pair, theme or entity whose ids `named` finds."""
    if of == "pair":
        # The pair tally's value is `<theme id>:<entity id>` (claim_plans.pair_of).
        pair = cast(named["theme_id"], String) + ":" + cast(named["entity_id"], String)
        counted = select(CLAIM_TALLY.c.claims).where(
            CLAIM_TALLY.c.dimension == "pair", CLAIM_TALLY.c.value == pair
        )
        return func.coalesce(counted.scalar_subquery(), 0)
    return tallied(of, named[f"{of}_id"])


@cache
def range_page_statement(of: str, after_key: bool, named: bool = False) -> Prepared:
    """A page of the claims of one pair, theme or entity (`of`, as in `RANGES`), whole, from the
    cursor's key `k0`…`k3` when `after_key`: a range of the primary key of `RANGES[of]`, in document
    order, `limit` rows, each the claim's order key (`id` its claim id) and stored answer `body`.

    The pair, theme or entity is bound by its ids (`theme`, `entity`), or with `named` as the client
    names it (`slug`, and `entity_key` folded by `keys.lookup_key`), each row then with the tally as
    `total`: the ids, the count and the page in one statement instead of three or four (what such a
    list cost, most of it, was each statement's round trip through Python, not SQLite). No row: an
    unknown value, an empty list, or a page past the end. The ids and the count are subqueries of their
    own, not joined to the rows: SQLite runs each once."""
    ranged = RANGES[of]
    extra: list[Any] = []
    if named:
        finders = {"theme": _theme_named, "entity": _entity_named}
        ids = {value.name: finders[value.name.removesuffix("_id")]() for value in _range_values(ranged)}
        conditions = [ranged.c[name] == found for name, found in ids.items()]
        extra.append(_named_total(of, ids).label("total"))
    else:
        conditions = [value == bindparam(value.name.removesuffix("_id")) for value in _range_values(ranged)]
    order = _range_order(ranged)
    if after_key:
        conditions.append(_past_cursor(order))
    # The range holds the order key, the stored answer the rest: the claim row is not read.
    columns: list[Any] = [*extra, *order[:3], order[3].label("id"), CLAIM_BODY.c.body]
    source = _with_body(ranged, ranged.c.claim_id)
    statement = select(*columns).select_from(source).where(*conditions).order_by(*order)
    return Prepared(statement.limit(bindparam("limit", type_=Integer())))


def range_page(
    connection: Connection,
    of: str,
    values: dict[str, Any],
    key: Sequence[Any] | None,
    limit: int,
    *,
    named: bool = False,
) -> list[Any]:
    """Up to `limit + 1` rows of `range_page_statement(of, …, named)` from the cursor's `key`, `values`
    bound (ids, or with `named` names): one more than the page says whether there is a next one."""
    keys = {f"k{index}": value for index, value in enumerate(key or ())}
    statement = range_page_statement(of, key is not None, named)
    return list(statement.rows(connection, **values, **keys, limit=limit + 1))


@dataclass(frozen=True)
class ClaimPlan:
    """How many claims match, and the conditions that find a page of them cheapest."""

    total: int
    # Conditions for a page, when neither `shape` nor `keys` says how to read it.
    page_conditions: list[ColumnElement[Any]]
    # For single-valued filters, the page's conditions as a shape of `page_statement` and its values.
    shape: PageShape | None = None
    values: tuple[Any, ...] = ()
    # Every match's order key, in order, when counting them meant reading them anyway.
    keys: list[tuple[Any, ...]] | None = None
    # What the page is a range of (`RANGES`: a pair, a theme or an entity) and its ids by name.
    ranged: tuple[str, dict[str, Any]] | None = None


def plan(connection: Connection, resolved: ResolvedFilters, *, limit: int) -> ClaimPlan:
    """Count the matching claims (exactly) and choose how to read a page of `limit` of them."""
    atoms = _atoms(resolved)
    if atoms is None:
        # Built only here: building SQL expressions costs more than the tally lookups below.
        where = resolved.conditions(connection.dialect.name)
        total = int(connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one())
        return ClaimPlan(total, where)
    if (pair := pair_of(atoms)) is not None:
        # One theme and one entity: tallied (migration 0005), and paged from claim_pair (0006), whose
        # range for the pair is already in document order: no walk, no gather (4.6 ms to read all 554
        # matches of the benchmark's pair at 100,000 claims, 2.1 ms to walk to a page of them), and no
        # other tally to read.
        ids = {atom.dimension: atom.value for atom in atoms}
        return ClaimPlan(tally(connection, "pair", pair), [], ranged=("pair", ids))
    if len(atoms) == 1 and atoms[0].dimension in LINKED:
        # One theme or one entity: its tally, and a range of claim_by_theme or claim_by_entity (0008).
        (atom,) = atoms
        total = tally(connection, atom.dimension, atom.tally_value)
        return ClaimPlan(total, [], ranged=(atom.dimension, {atom.dimension: atom.value}))
    claims = tally(connection, "claim")
    if not atoms:
        return ClaimPlan(claims, [], (), ())
    sizes = {atom: tally(connection, atom.dimension, atom.tally_value) for atom in atoms}
    driver = min(atoms, key=lambda atom: sizes[atom])
    ordered = [driver, *(atom for atom in atoms if atom is not driver)]
    if len(atoms) == 1 or sizes[driver] == 0:
        total = sizes[driver]
    elif driver.dimension in LINKED and sizes[driver] <= GATHER_AT_MOST:
        # Counting walks the smallest value's links probing the others' primary keys, and so does a
        # page of sparse matches: read every match's order key once, and page from those.
        gathered = gather_statement(tuple(atom.dimension for atom in ordered))
        values = {f"v{index}": atom.value for index, atom in enumerate(ordered)}
        keys = gathered.tuples(connection, **values)
        return ClaimPlan(len(keys), [], keys=keys)
    elif driver.dimension in LINKED:
        # Walk the smallest value's links, probing the others' primary keys (claim rows only if needed).
        matching, columns = _linked_matches([(atom, atom.value) for atom in ordered])
        if columns:
            statement = select(func.count()).select_from(CLAIM).where(CLAIM.c.id.in_(matching), *columns)
        else:
            statement = select(func.count()).select_from(matching.subquery())
        total = int(connection.execute(statement).scalar_one())
    else:
        others = [_member(atom) for atom in ordered[1:]]
        statement = select(func.count()).select_from(CLAIM).where(_member(driver), *others)
        total = int(connection.execute(statement).scalar_one())
    # Walking the order index finds a page after about (limit + 1) x claims / total probes; reading the
    # smallest value's matches and sorting them costs what that value holds, each match several probes'
    # worth. Walking probes the sparsest value first: most claims fail there.
    if (limit + 1) * claims / max(total, 1) < PROBES_PER_DRIVEN_ROW * sizes[driver]:
        ordered, driven = sorted(atoms, key=lambda atom: sizes[atom]), None
    else:
        driven = driver  # `ordered` already leads with it
    shape = tuple((atom.dimension, atom is driven) for atom in ordered)
    return ClaimPlan(total, [], shape, tuple(atom.value for atom in ordered))
