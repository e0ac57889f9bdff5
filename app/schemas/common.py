"""Shapes shared by every resource: the page envelope and problem details."""

import datetime as dt
import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _as_text(value: Any) -> Any:
    """A YAML date (`2018-09-03` unquoted) or year (`2018`) as the text it was written as."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    return value


def _real_date(value: str) -> str:
    """Refuse a month or day that no calendar has (2018-13, 2018-02-30)."""
    found = _PARTIAL_DATE.match(value)
    if found is None:
        raise ValueError("not a date: give YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(part) if part else 1 for part in found.groups())
    try:
        dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"not a date: {error}") from None
    return value


# The words that name a route under /v1/claims (`GET /v1/claims/facets`): a claim with such an id could never
# be read at /v1/claims/{claim_id}, which that route shadows, so no claim may take one.
CLAIM_ROUTE_WORDS = ("facets",)


def _not_a_claim_route(value: str) -> str:
    if value in CLAIM_ROUTE_WORDS:
        raise ValueError(f"{value!r} names a route under /v1/claims, so it cannot be a claim's id")
    return value


# A claim id's constraint beyond its pattern: the validator, and the same rule in its JSON Schema.
NOT_A_CLAIM_ROUTE = AfterValidator(_not_a_claim_route)
NOT_A_CLAIM_ROUTE_SCHEMA: dict[str, Any] = {"not": {"enum": list(CLAIM_ROUTE_WORDS)}}


# A publication date as precise as the source gives it: a day, a month or a year.
PartialDate = Annotated[
    str,
    BeforeValidator(_as_text),
    StringConstraints(pattern=_PARTIAL_DATE.pattern, max_length=10),
    AfterValidator(_real_date),
    Field(
        description="ISO 8601 date (YYYY-MM-DD), or YYYY-MM or YYYY when only that is known.",
        # Before- and after-validators hide the pattern from the JSON Schema: said again here.
        json_schema_extra={"pattern": _PARTIAL_DATE.pattern},
    ),
]


class Schema(BaseModel):
    """Base of every response model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PageMeta(Schema):
    """Where a page stands in its result set."""

    total: int = Field(description="Number of items matching the request, over all pages.")
    limit: int = Field(description="The page size asked for.")
    next_cursor: str | None = Field(
        description="Opaque token for the next page (pass as `cursor`); null on the last page."
    )


ItemT = TypeVar("ItemT")


class Page(Schema, Generic[ItemT]):
    """The one envelope every list answers with."""

    data: list[ItemT]
    meta: PageMeta


def _absent_unless_set(schema: dict[str, Any]) -> None:
    """Drop a field's `default` from its JSON Schema: the answer leaves the field out instead."""
    schema.pop("default", None)


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str = Field(description="A URI naming the kind of problem; `about:blank` for plain HTTP errors.")
    title: str
    status: int
    detail: str
    # Absent unless set, so the schema gives them no default: generators (openapi-typescript) type a
    # property with a default as always present in an answer.
    instance: str | None = Field(default=None, json_schema_extra=_absent_unless_set)
    errors: list[dict[str, Any]] | None = Field(
        default=None,
        description="For 422: each invalid input, where it is and what is wrong.",
        json_schema_extra=_absent_unless_set,
    )
