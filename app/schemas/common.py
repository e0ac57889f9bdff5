"""Shapes shared by every resource: the page envelope and problem details."""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


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
