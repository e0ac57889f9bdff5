"""When a claim holds and the figures it states: the shapes shared by the answer, the writes and the seed.

Dates keep the PartialDate convention (the string's form is its precision); the answers also name the
precision. A quantity's unit is an ISO 4217 currency code or one of `UNITS`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from app.schemas.common import PartialDate, Schema

Precision = Literal["year", "month", "day"]
# Counted things and ratios a quantity may be in, besides currencies (ISO 4217 codes, three capitals).
UNITS: tuple[str, ...] = (
    "percent",
    "people",
    "users",
    "rides",
    "drivers",
    "companies",
    "startups",
    "professionals",
    "graduates",
    "freelancers",
    "engineers",
    "employees",
    "jobs",
    "countries",
    "cities",
    "markets",
    "years",
)
CURRENCY = r"[A-Z]{3}"
UNIT_PATTERN = rf"^(?:{CURRENCY}|{'|'.join(UNITS)})$"
Unit = Annotated[str, StringConstraints(pattern=UNIT_PATTERN, max_length=20)]
Scale = Literal["thousand", "million", "billion", "trillion"]
Period = Literal["day", "week", "month", "quarter", "year"]
# Every amount is finite and at most this large in magnitude (a quadrillion).
MAX_AMOUNT = 1e15
Amount = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]


def precision_of(date: str | None) -> Precision | None:
    """The precision a PartialDate's form states: YYYY a year, YYYY-MM a month, YYYY-MM-DD a day."""
    if date is None:
        return None
    return {4: "year", 7: "month"}.get(len(date), "day")  # type: ignore[return-value]


def first_day(date: str) -> str:
    """The earliest day a PartialDate's period covers, as YYYY-MM-DD."""
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def last_day(date: str) -> str:
    """The latest day a PartialDate's period covers, as YYYY-MM-DD."""
    if len(date) == 10:
        return date
    if len(date) == 4:
        return f"{date}-12-31"
    year, month = int(date[:4]), int(date[5:7])
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).isoformat()


class ValidityIn(Schema):
    """When the claim holds, as its text or its source states it; null: not stated (never "always")."""

    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ValidityIn:
        if self.valid_from and self.valid_to and first_day(self.valid_from) > last_day(self.valid_to):
            raise ValueError("valid_from is after valid_to")
        return self


class Validity(Schema):
    """When the claim holds, as its text or its source states it. `valid_from` null: undated (not known
    to hold at any date, never read as "always true"); `valid_to` null: no end stated (it still holds as
    far as the sources say). Each date is as precise as the text gives it, and its precision is named."""

    valid_from: PartialDate | None
    valid_from_precision: Precision | None
    valid_to: PartialDate | None
    valid_to_precision: Precision | None


def validity_of(valid_from: str | None, valid_to: str | None) -> Validity:
    """The public validity of two stored dates."""
    return Validity(
        valid_from=valid_from,
        valid_from_precision=precision_of(valid_from),
        valid_to=valid_to,
        valid_to_precision=precision_of(valid_to),
    )


class TextSpan(Schema):
    """Where a figure is stated: offsets into the claim's quote (a quoted claim) or its statement (a
    paraphrase), Unicode code points, end exclusive."""

    start: Annotated[int, Field(ge=0, le=5000)]
    end: Annotated[int, Field(ge=1, le=5000)]


class Quantity(Schema):
    """A figure the claim states and where: `amount` the whole value (US$3.1 billion: 3.1e9, `scale`
    "billion"); `lower`/`upper` bound it where the text gives a range or a bound ("about": no bounds,
    `approximate` true; "over"/"more than": `lower` = amount; "up to": `upper` = amount; "3 to 5
    million": lower 3e6, upper 5e6, amount the midpoint, `approximate` true)."""

    amount: Amount
    unit: Unit = Field(description="An ISO 4217 currency code (`USD`) or one of: " + ", ".join(UNITS) + ".")
    scale: Scale | None = Field(default=None, description="The scale word the text uses, if any.")
    period: Period | None = Field(default=None, description="The period a rate is per (`year`: per year).")
    lower: Amount | None = Field(default=None, description="The least the value is, when the text bounds it.")
    upper: Amount | None = Field(default=None, description="The most the value is, when the text bounds it.")
    approximate: bool = Field(default=False, description="True when the text hedges it (about, nearly).")
    span: TextSpan
    text: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The words that state it: the quote's (or statement's) text at `span`."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Quantity:
        if self.span.end <= self.span.start:
            raise ValueError("span.end must be after span.start")
        if self.lower is not None and self.lower > self.amount:
            raise ValueError("lower is above amount")
        if self.upper is not None and self.upper < self.amount:
            raise ValueError("upper is below amount")
        if not math.isfinite(self.amount):  # pragma: no cover - Amount refuses it first
            raise ValueError("amount must be finite")
        return self


def span_problem(quantity: Quantity, within: str) -> str | None:
    """Why a quantity's span does not hold its text in `within` (the quote or statement), or None."""
    start, end = quantity.span.start, quantity.span.end
    if end > len(within):
        return f"span {start}..{end} is outside the text (length {len(within)})"
    if within[start:end] != quantity.text:
        return f"text {quantity.text!r} is not at span {start}..{end} (found {within[start:end]!r})"
    return None
