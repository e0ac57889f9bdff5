"""Turns the filters a client sends (slugs, aliases, ids, kinds) into SQL conditions on claims."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Integer, and_, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from app.models import CLAIM_KINDS, RELATION_TYPES
from app.schemas.measures import first_day, last_day
from app.services.documents import require_document
from app.services.entities import entity_ids_by_key, resolve_entity_id
from app.services.errors import UnknownFilterValues
from app.services.id_sets import among, bound
from app.services.prepared import Prepared
from app.services.search.matching import matching_keys
from app.services.search.query import Node
from app.services.tables import (
    CLAIM,
    CLAIM_BODY,
    CLAIM_ENTITY,
    CLAIM_QUANTITY,
    CLAIM_RELATION,
    CLAIM_THEME,
    DOCUMENT,
    THEME,
)
from app.services.themes import resolve_theme_id


@dataclass(frozen=True)
class RelationFilters:
    """Filters on a claim's relations; each None (or empty) filters nothing."""

    # Some claim contradicts (supports) it: True; none does: False.
    contradicted: bool | None = None
    supported: bool | None = None
    # At least this many independent supporting sources (its answer's `corroboration`).
    min_supporting_sources: int | None = None
    # In a relation of one of these types, as subject or object.
    types: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """True when any of them filters."""
        return self != RelationFilters()

    def conditions(self, dialect: str) -> list[ColumnElement[Any]]:
        """SQL conditions on the claim table."""
        where: list[ColumnElement[Any]] = []
        for wanted, kind in ((self.contradicted, "contradicts"), (self.supported, "supports")):
            if wanted is not None:
                related = _related_as_object(kind)
                where.append(related if wanted else ~related)
        if self.types:
            where.append(
                exists()
                .where(
                    or_(CLAIM_RELATION.c.subject_id == CLAIM.c.id, CLAIM_RELATION.c.object_id == CLAIM.c.id),
                    CLAIM_RELATION.c.type.in_(self.types),
                )
                .correlate(CLAIM)
            )
        if self.min_supporting_sources is not None:
            counted = supporting_sources(dialect) >= self.min_supporting_sources
            where.append(CLAIM.c.id.in_(select(CLAIM_BODY.c.claim_id).where(counted)))
        return where


def _related_as_object(kind: str) -> ColumnElement[bool]:
    """Some claim `kind` (supports, contradicts) the claim."""
    related = CLAIM_RELATION.c.object_id == CLAIM.c.id
    return exists().where(related, CLAIM_RELATION.c.type == kind).correlate(CLAIM)


def corroboration_count(dialect: str, field: str) -> ColumnElement[int]:
    """A claim's `corroboration.<field>` as its stored answer shows it (`claim_body`): the one place the
    count is made (app/services/claim_links.py), read back, not counted again a second way in SQL."""
    if dialect == "postgresql":
        return cast(cast(CLAIM_BODY.c.body, JSONB)["corroboration"][field].astext, Integer)
    return cast(func.json_extract(CLAIM_BODY.c.body, f"$.corroboration.{field}"), Integer)


def supporting_sources(dialect: str) -> ColumnElement[int]:
    """A claim's independent supporting sources, from its stored answer."""
    return corroboration_count(dialect, "supporting_sources")


@dataclass(frozen=True)
class MeasureFilters:
    """Filters on when a claim holds and the figures it states; each None filters nothing.

    `as_of` (a PartialDate): the claims known to hold throughout that day, month or year: `valid_from`
    stated and, read at the latest day its period may mean, no later than the period's first day; and
    `valid_to` not stated, or, read at the earliest day its period may mean, no earlier than the period's
    last day. Undated claims (no `valid_from`) are left out unless `include_undated`.
    `unit`, `minimum`, `maximum`: some figure of the claim is in `unit` and within the bounds (inclusive).
    """

    as_of: str | None = None
    include_undated: bool = False
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def active(self) -> bool:
        """True when any of them filters."""
        return self != MeasureFilters()

    def _ends_after(self) -> ColumnElement[bool]:
        assert self.as_of is not None
        return or_(CLAIM.c.valid_to_first.is_(None), CLAIM.c.valid_to_first >= last_day(self.as_of))

    def undated(self) -> ColumnElement[bool] | None:
        """The condition of the undated claims `as_of` leaves out (None: it leaves none out)."""
        if self.as_of is None or self.include_undated:
            return None
        return and_(CLAIM.c.valid_from.is_(None), self._ends_after())

    def conditions(self) -> list[ColumnElement[Any]]:
        """SQL conditions on the claim table."""
        where: list[ColumnElement[Any]] = []
        if self.as_of is not None:
            started = CLAIM.c.valid_from_last <= first_day(self.as_of)
            if self.include_undated:
                started = or_(started, CLAIM.c.valid_from.is_(None))
            where += [started, self._ends_after()]
        if self.unit is not None or self.minimum is not None or self.maximum is not None:
            figure = select(CLAIM_QUANTITY.c.claim_id)
            if self.unit is not None:
                figure = figure.where(CLAIM_QUANTITY.c.unit == self.unit)
            if self.minimum is not None:
                figure = figure.where(CLAIM_QUANTITY.c.amount >= self.minimum)
            if self.maximum is not None:
                figure = figure.where(CLAIM_QUANTITY.c.amount <= self.maximum)
            where.append(CLAIM.c.id.in_(figure))
        return where


@dataclass(frozen=True)
class ClaimFilters:
    """Values of one filter are OR'ed; different filters, and the scope, are AND'ed."""

    themes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    # Full-text query (already parsed); with sort "relevance", the best matches come first.
    query: Node | None = None
    # "contested": most contradicting sources first (`claims.list_claims`).
    # "valid_from" / "-valid_from": by `validity.valid_from`, earliest (latest) first, undated last.
    sort: Literal["relevance", "position", "contested", "valid_from", "-valid_from"] = "position"
    related: RelationFilters = field(default_factory=RelationFilters)
    # True: only orphaned claims (app/services/anchoring.py); False: only the others.
    orphaned: bool | None = None
    measures: MeasureFilters = field(default_factory=MeasureFilters)
    # Set by nested routes (/themes/{slug}/claims …): the path's resource, 404 when it does not exist.
    scope_theme: str | None = None
    scope_entity: str | None = None
    scope_document: str | None = None


def _unknown(asked: list[str], known: set[str]) -> list[str]:
    return [value for value in asked if value not in known]


@cache
def _themes_by_slug(dialect: str) -> Prepared:
    return Prepared(select(THEME.c.slug, THEME.c.id).where(among(THEME.c.slug, "slugs", dialect)))


def _theme_ids(connection: Connection, slugs: list[str]) -> list[int]:
    dialect = connection.dialect.name
    found = dict(_themes_by_slug(dialect).rows(connection, slugs=bound(slugs, dialect)))
    if missing := _unknown(slugs, set(found)):
        raise UnknownFilterValues("theme", missing, "GET /v1/themes lists the theme slugs.")
    return list(found.values())


def _entity_ids(connection: Connection, keys: list[str]) -> list[int]:
    found = entity_ids_by_key(connection, keys)
    if missing := _unknown(keys, set(found)):
        raise UnknownFilterValues("entity", missing, "GET /v1/entities lists entity slugs and aliases.")
    return list(set(found.values()))


def _document_ids(connection: Connection, ids: list[str]) -> list[str]:
    found = set(connection.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.id.in_(ids))).scalars())
    if missing := _unknown(ids, found):
        raise UnknownFilterValues("document", missing, "GET /v1/documents lists the document ids.")
    return ids


def _kinds(kinds: list[str]) -> list[str]:
    if missing := _unknown(kinds, set(CLAIM_KINDS)):
        raise UnknownFilterValues("kind", missing, f"Kinds are: {', '.join(CLAIM_KINDS)}.")
    return kinds


def _has_theme(theme_ids: list[int]) -> ColumnElement[bool]:
    return CLAIM.c.id.in_(select(CLAIM_THEME.c.claim_id).where(CLAIM_THEME.c.theme_id.in_(theme_ids)))


def _has_entity(entity_ids: list[int]) -> ColumnElement[bool]:
    return CLAIM.c.id.in_(select(CLAIM_ENTITY.c.claim_id).where(CLAIM_ENTITY.c.entity_id.in_(entity_ids)))


@dataclass(frozen=True)
class ResolvedFilters:
    """The filters with every value resolved to ids: each inner list is OR'ed, the lists are AND'ed."""

    theme_ids: list[list[int]] = field(default_factory=list)
    entity_ids: list[list[int]] = field(default_factory=list)
    document_ids: list[list[str]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    query: Node | None = None
    related: RelationFilters = field(default_factory=RelationFilters)
    orphaned: bool | None = None
    measures: MeasureFilters = field(default_factory=MeasureFilters)

    def conditions(self, dialect: str) -> list[ColumnElement[Any]]:
        """SQL conditions on the claim table (membership as IN subqueries)."""
        where: list[ColumnElement[Any]] = [_has_theme(ids) for ids in self.theme_ids]
        where += [_has_entity(ids) for ids in self.entity_ids]
        where += [CLAIM.c.document_id.in_(ids) for ids in self.document_ids]
        if self.kinds:
            where.append(or_(*(CLAIM.c.kind == kind for kind in self.kinds)))
        if self.query is not None:
            matching = matching_keys(dialect, self.query, "claim").subquery()
            where.append(CLAIM.c.id.in_(select(matching.c.key)))
        if self.orphaned is not None:
            where.append(CLAIM.c.orphaned.is_(self.orphaned))
        return where + self.related.conditions(dialect) + self.measures.conditions()

    def without_dates(self) -> ResolvedFilters:
        """The same filters but `as_of`: what the undated claims left out are counted among."""
        kept = MeasureFilters(
            unit=self.measures.unit, minimum=self.measures.minimum, maximum=self.measures.maximum
        )
        return ResolvedFilters(
            self.theme_ids,
            self.entity_ids,
            self.document_ids,
            self.kinds,
            self.query,
            self.related,
            self.orphaned,
            kept,
        )


def resolve(connection: Connection, filters: ClaimFilters) -> ResolvedFilters:
    """The filters' ids; raises UnknownFilterValues naming any value that does not exist (NotFound for a
    missing scope), checking the filters in the order theme, entity, document, kind, q, then the scopes."""
    themes = [_theme_ids(connection, filters.themes)] if filters.themes else []
    entities = [_entity_ids(connection, filters.entities)] if filters.entities else []
    documents = [_document_ids(connection, filters.documents)] if filters.documents else []
    kinds = _kinds(filters.kinds) if filters.kinds else []
    if missing := _unknown(filters.related.types, set(RELATION_TYPES)):
        raise UnknownFilterValues("relation", missing, f"Relation types are: {', '.join(RELATION_TYPES)}.")
    if filters.scope_theme is not None:
        themes.append([resolve_theme_id(connection, filters.scope_theme)])
    if filters.scope_entity is not None:
        entities.append([resolve_entity_id(connection, filters.scope_entity)])
    if filters.scope_document is not None:
        documents.append([require_document(connection, filters.scope_document)])
    return ResolvedFilters(
        themes, entities, documents, kinds, filters.query, filters.related, filters.orphaned, filters.measures
    )


def conditions(connection: Connection, filters: ClaimFilters) -> list[ColumnElement[Any]]:
    """SQL conditions for the filters; raises UnknownFilterValues naming any value that does not exist."""
    return resolve(connection, filters).conditions(connection.dialect.name)


def undated_left_out(connection: Connection, resolved: ResolvedFilters) -> int | None:
    """How many claims matching the other filters `as_of` left out for being undated; None without
    `as_of`, 0 with `include_undated`."""
    measures = resolved.measures
    if measures.as_of is None:
        return None
    undated = measures.undated()
    if undated is None:
        return 0
    where = [*resolved.without_dates().conditions(connection.dialect.name), undated]
    return int(connection.execute(select(func.count()).select_from(CLAIM).where(*where)).scalar_one())
