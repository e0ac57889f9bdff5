"""Path and query parameters: every bound written once, in the types the OpenAPI document shows.

Every string a client sends in a path or a query goes through `Text` (or a type built on it), whose
pattern refuses control characters: PostgreSQL text cannot hold NUL and no engine stores one faithfully.
Pydantic itself refuses a lone surrogate. The claim lists share one query-parameter model,
`ClaimListQuery` (validated by `CLAIM_LIST_QUERY`, documented by its `openapi_extra`), so a parameter
added there reaches every claim list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.query_models import QueryModel
from app.models import RELATION_TYPES
from app.schemas.common import NOT_A_CLAIM_ROUTE, NOT_A_CLAIM_ROUTE_SCHEMA
from app.schemas.measures import MAX_AMOUNT, UNIT_PATTERN, UNITS
from app.services.search.query import MAX_QUERY_LENGTH

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_CURSOR_LENGTH = 512
# One value of a filter (a slug, name, alias, id or kind), and how many a filter may name in all.
MAX_VALUE_LENGTH = 200
MAX_FILTER_VALUES = 50

# No C0 control character (U+0000 to U+001F).
STORABLE = r"^[^\x00-\x1f]*$"
# Comma-separated values, each storable and at most MAX_VALUE_LENGTH characters.
_PART = rf"[^\x00-\x1f,]{{0,{MAX_VALUE_LENGTH}}}"
COMMA_SEPARATED = rf"^{_PART}(?:,{_PART})*$"
# What `meta.next_cursor` is made of: unpadded base64url.
CURSOR = r"^[A-Za-z0-9_-]+$"


def text(max_length: int, *, min_length: int = 0, pattern: str = STORABLE) -> object:
    """A string constraint: its length bounds and a pattern that refuses control characters."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


def choices(words: Sequence[str]) -> str:
    """A pattern of comma-separated words from `words`, in any case, blanks allowed around them."""
    spelled = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w) for w in words)
    item = rf" *(?:{spelled})? *"
    return rf"^{item}(?:,{item})*$"


Text = Annotated[str, text(MAX_VALUE_LENGTH)]
FilterValues = Annotated[str, text(MAX_FILTER_VALUES * (MAX_VALUE_LENGTH + 1), pattern=COMMA_SEPARATED)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Cursor = Annotated[
    str,
    text(MAX_CURSOR_LENGTH, min_length=1, pattern=CURSOR),
    Field(description="`meta.next_cursor` of the previous page; omit for the first page."),
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
# The same parameter as the claim lists' `cursor`, so the OpenAPI document declares it once.
CursorParam = Annotated[Cursor | None, Query()]

ClaimId = Annotated[
    str,
    text(100, min_length=1),
    NOT_A_CLAIM_ROUTE,
    Path(description="The claim's stable id, e.g. `pkit-038`.", json_schema_extra=NOT_A_CLAIM_ROUTE_SCHEMA),
]
ThemeSlug = Annotated[
    str, text(100, min_length=1), Path(description="A theme slug, e.g. `talent-workforce`.")
]
EntityKey = Annotated[
    str,
    text(MAX_VALUE_LENGTH, min_length=1),
    Path(description="Slug, name or any alias, case-insensitively: `careem`, `Daraz.pk`."),
]
DocumentId = Annotated[
    str, text(100, min_length=1), Path(description="A document id, e.g. `pakistan-it-sector`.")
]

ClaimIdsParam = Annotated[
    list[FilterValues] | None,
    Query(
        max_length=MAX_FILTER_VALUES,
        description="Claim ids: relations whose subject or object is one of them. Repeat the parameter or "
        "separate values with commas (OR).",
    ),
]
RelationTypesParam = Annotated[
    list[Annotated[str, text(200, pattern=choices(RELATION_TYPES))]] | None,
    Query(
        max_length=MAX_FILTER_VALUES,
        description="Relation types: supports, contradicts, qualifies, same-as, part-of. Repeat the "
        "parameter or separate values with commas (OR).",
    ),
]
RelationId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The relation's id, from `GET /v1/relations` or a claim.")
]

ClaimFormat = Literal["json", "csv", "ndjson", "jsonld"]
Sort = Literal["relevance", "position", "contested", "valid_from", "-valid_from"]
# The largest `min_supporting_sources` a claim list takes.
MAX_SOURCES = 100


def _filter(description: str) -> object:
    return Field(
        default=None,
        max_length=MAX_FILTER_VALUES,
        description=description + " Repeat the parameter or separate values with commas (OR).",
    )


# A quantity filter's bounds: finite, at most a quadrillion in magnitude (as the figures themselves).
QuantityBound = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]
# YYYY, YYYY-MM or YYYY-MM-DD, and only a date the calendar has (no year 0, no 2019-02-29): the
# pattern says exactly what is accepted.
_YEAR = r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"
_LEAP = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DAYS = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
)
AS_OF = rf"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?|{_YEAR}-{_DAYS}|{_LEAP}-02-29)$"


class ClaimFilterQuery(BaseModel):
    """The claim filters: values of one filter are OR'ed, different filters AND'ed."""

    # Unknown parameters are ignored, as for any other route.
    model_config = ConfigDict(extra="ignore", frozen=True)

    theme: list[FilterValues] | None = _filter("Theme slugs.")  # type: ignore[assignment]
    entity: list[FilterValues] | None = _filter("Entity slugs, names or aliases, any case.")  # type: ignore[assignment]
    document: list[FilterValues] | None = _filter("Document ids.")  # type: ignore[assignment]
    kind: list[FilterValues] | None = _filter("fact, opinion, prediction or recommendation.")  # type: ignore[assignment]
    q: Annotated[str, text(MAX_QUERY_LENGTH, min_length=1)] | None = Field(
        default=None,
        description='Full-text query: words (all must match), "a phrase", prefix*, AND, OR, NOT or -word, '
        "parentheses. Stemmed, case-, accent- and apostrophe-insensitive.",
    )
    sort: Sort | None = Field(
        default=None,
        description="`relevance` (best match first; the default with `q`), `position` (document order), "
        "`contested` (most independent contradicting sources first, then most qualifying, then "
        "document order), `valid_from` (earliest `validity.valid_from` first) or `-valid_from` (latest "
        "first); by date, undated claims come last and a coarser date (`2019`) before a finer one of "
        "its period (`2019-03`).",
    )
    contradicted: bool | None = Field(
        default=None, description="`true`: claims some claim contradicts; `false`: claims none contradicts."
    )
    supported: bool | None = Field(
        default=None, description="`true`: claims some claim supports; `false`: claims none supports."
    )
    min_supporting_sources: Annotated[int, Field(ge=1, le=MAX_SOURCES)] | None = Field(
        default=None,
        description="Claims supported by at least this many independent sources (`corroboration."
        "supporting_sources`: distinct publishers, the claim's own not counted).",
    )
    relation: list[Annotated[str, text(200, pattern=choices(RELATION_TYPES))]] | None = Field(
        default=None,
        max_length=MAX_FILTER_VALUES,
        description="Claims in a relation of these types, as subject or object: supports, contradicts, "
        "qualifies, same-as, part-of. Repeat the parameter or separate values with commas (OR).",
    )
    orphaned: bool | None = Field(
        default=None,
        description="`true`: claims a newer version of their text orphaned; `false`: the others.",
    )
    as_of: Annotated[str, StringConstraints(pattern=AS_OF, max_length=10)] | None = Field(
        default=None,
        description="YYYY, YYYY-MM or YYYY-MM-DD: only the claims known to hold throughout that day, month "
        "or year: `validity.valid_from` stated and, read at the latest day its period may mean, no later "
        "than the first day asked; `validity.valid_to` null (no end stated) or, read at the earliest day "
        "its period may mean, no earlier than the last day asked. Undated claims (no `valid_from`) are "
        "left out unless `include_undated=true`; a claim list's `meta.undated_left_out` counts them.",
    )
    include_undated: bool | None = Field(
        default=None,
        description="With `as_of`: `true` keeps the undated claims (no `validity.valid_from`) whose "
        "`valid_to`, if any, allows the date. Without `as_of` it changes nothing.",
    )
    quantity_unit: Annotated[str, text(20, min_length=3, pattern=UNIT_PATTERN)] | None = Field(
        default=None,
        description="Claims stating a figure in this unit: an ISO 4217 currency code (`USD`) or one of "
        + ", ".join(UNITS)
        + ".",
    )
    quantity_min: QuantityBound | None = Field(
        default=None,
        description="Claims stating a figure of at least this `amount` (in `quantity_unit` when given, else "
        "in any unit: give the unit, amounts of different units do not compare). One figure meets every "
        "bound.",
    )
    quantity_max: QuantityBound | None = Field(
        default=None,
        description="Claims stating a figure of at most this `amount` (as `quantity_min`); above "
        "`quantity_min`, no claim matches.",
    )


class ClaimListQuery(ClaimFilterQuery):
    """A claim list's query: the filters, the answer's format and the page."""

    format: ClaimFormat | None = Field(
        default=None,
        description="Answer format: `json` (a page), `jsonld` (a page of schema.org Claims), `csv` or "
        "`ndjson` (the whole filtered set, ignoring `limit`, `cursor` and `sort`, streamed in document "
        "order). Wins over the Accept header (`application/json`, `application/ld+json`, `text/csv`, "
        "`application/x-ndjson`); without either, JSON.",
    )
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


CLAIM_LIST_QUERY = QueryModel(ClaimListQuery)
ClaimListParams = Annotated[ClaimListQuery, Depends(CLAIM_LIST_QUERY)]
SnapshotId = Annotated[
    str,
    text(40, min_length=1, pattern=r"^(latest|[0-9]{8}T[0-9]{6}Z-[0-9]+)$"),
    Path(description="A snapshot's id (its manifest's `id`), or `latest`."),
]
SnapshotFileName = Annotated[
    str,
    text(40, min_length=1, pattern=r"^[a-z]+\.(ndjson|sqlite)$"),
    Path(description="A file the snapshot's manifest lists, e.g. `claims.ndjson`."),
]
