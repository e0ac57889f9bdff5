"""How a filtered claim list is counted and paged: a range of a table of claims in order, or a keyset
SELECT.

A list of one theme, one entity, or one theme and one entity, and nothing else, is a range of a table keyed
by that value and then the claims' order key (`claim_by_theme`, `claim_by_entity`, migration 0008;
`claim_pair`, 0006): from the start or from a cursor alike, with no sort, its claims' stored answers
(`claim_body`) read in the same statement, and its total read from `claim_tally` (kept exact by
triggers, migration 0004). Every other list is a keyset SELECT of the order keys under the filters'
conditions, then its claims by id; its total is a tally where one answers it (every claim, one kind, one
document), else counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    TableClause,
    bindparam,
    cast,
    func,
    select,
    tuple_,
)

from app.schemas.claims import ClaimPublic
from app.services.claim_filters import ClaimFilters, ResolvedFilters
from app.services.claim_rows import claims_rows, stored_body
from app.services.keys import lookup_key
from app.services.pagination import after
from app.services.prepared import Prepared
from app.services.tables import (
    CLAIM,
    CLAIM_BODY,
    CLAIM_BY_ENTITY,
    CLAIM_BY_THEME,
    CLAIM_PAIR,
    CLAIM_TALLY,
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


def order_key(claim: ClaimPublic) -> tuple[str, int, int, str]:
    """A claim's order key from its public shape: a paraphrase, which has no span, is at (0, 0)
    (app/models/claim.py)."""
    start, end = (claim.span.start, claim.span.end) if claim.span is not None else (0, 0)
    return claim.document_id, start, end, claim.id


# The tables a range page reads, by what the range is of: a pair, a theme, or an entity.
RANGES = {"pair": CLAIM_PAIR, "theme": CLAIM_BY_THEME, "entity": CLAIM_BY_ENTITY}


@dataclass(frozen=True)
class ClaimPage:
    """A page of claims in document order, as `claims_rows` gives them, the list's total, and whether a
    next page follows."""

    rows: Sequence[Any]
    total: int
    more: bool


EMPTY = ClaimPage((), 0, False)


def _single_values(resolved: ResolvedFilters) -> dict[str, Any] | None:
    """The one value each filtered dimension names (`theme`, `entity`, `document`, `kind`), or None when a
    filter ORs several values, two filters of a dimension name different values, or there is a query."""
    groups: list[tuple[str, list[Any]]] = [
        *(("theme", ids) for ids in resolved.theme_ids),
        *(("entity", ids) for ids in resolved.entity_ids),
        *(("document", ids) for ids in resolved.document_ids),
    ]
    if resolved.kinds:
        groups.append(("kind", resolved.kinds))
    if (
        resolved.query is not None
        or resolved.related.active
        or resolved.orphaned is not None
        or resolved.measures.active
    ):
        return None
    values: dict[str, Any] = {}
    for dimension, group in groups:
        # A scope and a filter naming the same value (/themes/x/claims?theme=x) are that one value.
        if len(set(group)) != 1 or values.setdefault(dimension, group[0]) != group[0]:
            return None
    return values


def _tally_of(values: dict[str, Any]) -> tuple[str, str] | None:
    """The tally (dimension, value) that counts the claims of these single values, or None."""
    if not values:
        return "claim", ""
    if len(values) == 1:
        ((dimension, value),) = values.items()
        return dimension, str(value)
    if values.keys() == {"theme", "entity"}:
        return "pair", _pair_value(values)
    return None


def _pair_value(ids: dict[str, Any]) -> str:
    """The pair tally's value of one theme and one entity: `<theme id>:<entity id>` (migration 0005)."""
    return f"{ids['theme']}:{ids['entity']}"


def total(
    connection: Connection, resolved: ResolvedFilters, where: Sequence[ColumnElement[Any]] | None = None
) -> int:
    """How many claims match: a tally where one counts them, else counted (under `where`, the filters'
    conditions when the caller has built them already)."""
    values = _single_values(resolved)
    if values is not None and (counted := _tally_of(values)) is not None:
        return tally(connection, *counted)
    if where is None:
        where = resolved.conditions(connection.dialect.name)
    return int(connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one())


# The range strategy: one theme, one entity, or one of each.


def range_of(resolved: ResolvedFilters) -> tuple[str, dict[str, Any]] | None:
    """What a list is a range of (a key of `RANGES`) and the ids that `range_page` binds (`theme`,
    `entity`), when the filters are one theme, one entity, or one of each, and nothing else; else None."""
    values = _single_values(resolved)
    if not values or not values.keys() <= {"theme", "entity"}:
        return None
    return ("pair" if len(values) == 2 else next(iter(values))), values


# Every filter but the theme and the entity, and their values when they filter nothing: compared as they
# are, rather than with a whole ClaimFilters built for the comparison on every request.
_OTHER_FILTERS = attrgetter(*(f.name for f in fields(ClaimFilters) if f.name not in ("themes", "entities")))
_NO_OTHER_FILTERS = _OTHER_FILTERS(ClaimFilters())


def named_range(filters: ClaimFilters) -> tuple[str, dict[str, str]] | None:
    """What `named_range_page` reads for `filters` (a key of `RANGES`, and the names it binds: `slug`,
    `entity_key`) when they are one theme, one entity, or one of each, as the client names them, and
    nothing else; else None."""
    themes, entities = filters.themes, filters.entities
    if len(themes) > 1 or len(entities) > 1 or not (themes or entities):
        return None
    if _OTHER_FILTERS(filters) != _NO_OTHER_FILTERS:
        return None
    names = {}
    if themes:
        names["slug"] = themes[0]
    if entities:
        names["entity_key"] = lookup_key(entities[0])
    return ("pair" if themes and entities else "theme" if themes else "entity"), names


def _range_order(table: TableClause) -> tuple[ColumnElement[Any], ...]:
    """The order key of a table of claims in order, as columns."""
    return tuple(table.c[name] for name in ORDER_KEY)


def _range_values(table: TableClause) -> list[ColumnElement[Any]]:
    """The columns a table of claims in order is keyed by before the order key (link ids)."""
    return [value for value in table.c if value.name not in ORDER_KEY and value.name != "kind"]


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
        # The pair tally's value, as `_pair_value` writes it.
        pair = cast(named["theme_id"], String) + ":" + cast(named["entity_id"], String)
        counted = select(CLAIM_TALLY.c.claims).where(
            CLAIM_TALLY.c.dimension == "pair", CLAIM_TALLY.c.value == pair
        )
        return func.coalesce(counted.scalar_subquery(), 0)
    return tallied(of, named[f"{of}_id"])


@cache
def range_page_statement(of: str, after_key: bool, named: bool = False) -> Prepared:
    """A page of the claims of one pair, theme or entity (`of`, as in `RANGES`), from the
    cursor's key `k0`…`k3` when `after_key`: a range of the primary key of `RANGES[of]`, in document
    order, `limit` rows, each the claim's order key (`id` its claim id) and stored answer `body`.

    The pair, theme or entity is bound by its ids (`theme`, `entity`), or with `named` as the client
    names it (`slug`, and `entity_key` folded by `keys.lookup_key`), each row then with the tally as
    `total`: the ids, the count and the page in one statement instead of three or four (what such a
    list cost, most of it, was each statement's round trip through Python, not SQLite). No row: an
    unknown value, an empty list, or a page past the end. The ids and the count are subqueries of their
    own, not joined to the rows: SQLite runs each once."""
    table = RANGES[of]
    extra: list[Any] = []
    if named:
        finders = {"theme": _theme_named, "entity": _entity_named}
        ids = {value.name: finders[value.name.removesuffix("_id")]() for value in _range_values(table)}
        conditions = [table.c[name] == found for name, found in ids.items()]
        extra.append(_named_total(of, ids).label("total"))
    else:
        conditions = [value == bindparam(value.name.removesuffix("_id")) for value in _range_values(table)]
    order = _range_order(table)
    if after_key:
        keys = [bindparam(f"k{index}", type_=column.type) for index, column in enumerate(order)]
        conditions.append(tuple_(*order) > tuple_(*keys))
    # The range holds the order key, the stored answer the rest: the claim row is not read.
    columns: list[Any] = [*extra, *order[:3], order[3].label("id"), stored_body(CLAIM_BODY.c.body)]
    source = table.join(CLAIM_BODY, CLAIM_BODY.c.claim_id == table.c.claim_id)
    statement = select(*columns).select_from(source).where(*conditions).order_by(*order)
    return Prepared(statement.limit(bindparam("limit", type_=Integer())))


def _range_rows(
    connection: Connection,
    of: str,
    values: dict[str, Any],
    key: Sequence[Any] | None,
    limit: int,
    *,
    named: bool,
) -> list[Any]:
    """Up to `limit + 1` rows of `range_page_statement` from the cursor's `key`: one more than the page
    says whether there is a next one."""
    keys = {f"k{index}": value for index, value in enumerate(key or ())}
    statement = range_page_statement(of, key is not None, named)
    return statement.rows(connection, **values, **keys, limit=limit + 1)


def range_page(
    connection: Connection, of: str, ids: dict[str, Any], key: Sequence[Any] | None, limit: int
) -> ClaimPage:
    """A page of the claims of one pair, theme or entity (`range_of`) after the cursor's `key`, with the
    tally as its total."""
    counted = tally(connection, of, _pair_value(ids) if of == "pair" else str(ids[of]))
    if not counted:
        return EMPTY
    rows = _range_rows(connection, of, ids, key, limit, named=False)
    return ClaimPage(rows[:limit], counted, len(rows) > limit)


def named_range_page(
    connection: Connection, of: str, names: dict[str, str], key: Sequence[Any] | None, limit: int
) -> ClaimPage | None:
    """`range_page` for the names of `named_range`, in a single statement; None when it finds
    no claim: resolving the filters then tells an unknown value (422) from an empty page."""
    rows = _range_rows(connection, of, names, key, limit, named=True)
    if not rows:
        return None
    return ClaimPage(rows[:limit], int(rows[0].total), len(rows) > limit)


# The general strategy: any other filters.


def keyset_page(
    connection: Connection, resolved: ResolvedFilters, key: Sequence[Any] | None, limit: int
) -> ClaimPage:
    """A page of the claims matching `resolved` after the cursor's `key`: their order keys under the
    filters' conditions, then the claims by id; with the list's `total`."""
    where = resolved.conditions(connection.dialect.name)
    found = total(connection, resolved, where)
    if not found:
        return EMPTY
    page = select(*CLAIM_ORDER).where(*where).order_by(*CLAIM_ORDER).limit(limit + 1)
    if key is not None:
        page = after(page, CLAIM_ORDER, key)
    rows = connection.execute(page).all()
    return ClaimPage(claims_rows(connection, [row.id for row in rows[:limit]]), found, len(rows) > limit)
