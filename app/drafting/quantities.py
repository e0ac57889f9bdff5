"""Quantities in a sentence: numbers with a currency, a unit, a scale or a percent sign, as claim proposals.

A hand-written grammar (no library on the machine is made for this): a quantity is

    [qualifier] [currency] NUMBER [scale] [currency | unit] [period]
    [between] [currency] NUMBER [scale] (and | to | -) [currency] NUMBER [scale] [currency | unit] [period]

and is kept only if it has a currency, a scale, a percent or a unit of `UNITS`. So a bare number is never a
quantity: "in 2019", "Section 3", "the 1st", "+92 21 111 222 333" and "five years" give nothing. A year
(1900-2099 without a thousands comma) right after a date cue ("in", "since", "by", ...) is a date even when
a unit follows ("In 2019 drivers ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Scale = Literal["thousand", "million", "billion"]

# Units of counted things and percent (the claim format's closed list); currencies are ISO 4217 codes.
UNITS: dict[str, str] = {
    "percent": "percent",
    "per cent": "percent",
    "%": "percent",
    "people": "people",
    "persons": "people",
    "rides": "rides",
    "trips": "rides",
    "drivers": "drivers",
    "captains": "drivers",
    "users": "users",
    "customers": "users",
    "subscribers": "users",
    "companies": "companies",
    "firms": "companies",
    "startups": "companies",
    "start-ups": "companies",
    "freelancers": "freelancers",
    "cities": "cities",
    "countries": "countries",
    "markets": "markets",
    "jobs": "jobs",
    "employees": "employees",
    "professionals": "professionals",
    "graduates": "graduates",
    "engineers": "engineers",
}
# Prefix symbols and codes. "$" alone is read as US dollars and "Rs"/"rupees" as Pakistani rupees: the
# drafter is for news on Pakistan's IT sector (docs/drafting.md says so).
_CURRENCY_BEFORE: dict[str, str] = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "pkr": "PKR",
    "rs.": "PKR",
    "rs": "PKR",
    "aed": "AED",
    "sar": "SAR",
    "eur": "EUR",
    "€": "EUR",
    "gbp": "GBP",
    "£": "GBP",
}
_CURRENCY_AFTER: dict[str, str] = {
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "dollars": "USD",
    "usd": "USD",
    "pakistani rupees": "PKR",
    "rupees": "PKR",
    "pkr": "PKR",
    "aed": "AED",
    "dirhams": "AED",
    "euros": "EUR",
}
# Scale words: the claim's `scale` names the word used; lakh and crore are scaled but have no scale name.
_SCALES: dict[str, tuple[int, Scale | None]] = {
    "thousand": (10**3, "thousand"),
    "k": (10**3, "thousand"),
    "million": (10**6, "million"),
    "mn": (10**6, "million"),
    "m": (10**6, "million"),
    "billion": (10**9, "billion"),
    "bn": (10**9, "billion"),
    "b": (10**9, "billion"),
    "lakh": (10**5, None),
    "crore": (10**7, None),
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "twenty": 20,
    "fifty": 50,
    "a hundred": 100,
}
_PERIODS: dict[str, str] = {
    "a year": "year",
    "per year": "year",
    "each year": "year",
    "every year": "year",
    "per annum": "year",
    "annually": "year",
    "a month": "month",
    "per month": "month",
    "each month": "month",
    "monthly": "month",
    "a day": "day",
    "per day": "day",
    "daily": "day",
}
# qualifier -> (amount is a lower bound, an upper bound, approximate)
_QUALIFIERS: dict[str, tuple[bool, bool, bool]] = {
    "more than": (True, False, False),
    "over": (True, False, False),
    "above": (True, False, False),
    "at least": (True, False, False),
    "upwards of": (True, False, False),
    "less than": (False, True, False),
    "fewer than": (False, True, False),
    "under": (False, True, False),
    "below": (False, True, False),
    "up to": (False, True, False),
    "at most": (False, True, False),
    "nearly": (False, True, True),
    "almost": (False, True, True),
    "close to": (False, True, True),
    "about": (False, False, True),
    "around": (False, False, True),
    "approximately": (False, False, True),
    "roughly": (False, False, True),
    "some": (False, False, True),
    "an estimated": (False, False, True),
}
DATE_CUES = ("in", "since", "by", "from", "until", "till", "through", "during", "of", "on", "before", "after")


def _alternatives(words: list[str], *, after: str = r"(?![\w$])", before: str = r"(?<!\w)") -> str:
    """A regex alternation of `words`, longest first, each a whole word where it begins or ends in one."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        head = before if word[0].isalnum() else ""
        tail = after if word[-1].isalnum() else ""
        parts.append(head + escaped + tail)
    return "(?:" + "|".join(parts) + ")"


_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# Digits not glued to other digits or letters, except a currency prefix ("Rs5bn", "PKR300m").
_GLUED_OK = r"(?:(?<![\w.,+/])|(?<=rs)|(?<=pkr|usd))(?<!\d)"
_NUMBER = rf"(?:{_GLUED_OK}{_DIGITS}(?![\d,]\d)|{_alternatives(list(_WORD_NUMBERS))})"
# Scale words after a space or none ("3.1 billion", "5 crore"); abbreviations only attached ("3.1bn", "200m").
_SCALE_WORDS = ["thousand", "million", "billion", "lakh", "crore"]
_SCALE = rf"(?:\s*{_alternatives(_SCALE_WORDS)}|{_alternatives(['k', 'm', 'mn', 'bn', 'b'], before='')})"
# "Rs5bn": a prefix may touch the digits, so it only needs no letter after it.
_CURRENCY = _alternatives(list(_CURRENCY_BEFORE), after=r"(?![A-Za-z])")
_AFTER = rf"(?:\s*(?:{_alternatives(list(_CURRENCY_AFTER))}|{_alternatives(list(UNITS))}))"
# Up to two words between a number and its unit ("300,000 registered freelancers", "1,500 IT companies"),
# but not words that make the number something else ("3 times more users", "5 years of users").
_NOT_FILLER = (
    r"and|or|of|to|in|the|a|an|times|more|less|fewer|than|per|for|with|from|by|at|on|"
    r"years?|months?|weeks?|days?|hours?"
)
_FILLER = rf"(?:\s+(?!(?:{_NOT_FILLER})\b)[A-Za-z][\w-]*){{0,2}}?"
_ONE = rf"(?:{_CURRENCY}\s*)?{_NUMBER}{_SCALE}?"
# "between 2 and 3 billion", "US$2-3 billion", "12 to 15 percent"; but "from 2 to 3 million" is a change
# from one figure to another, so two quantities.
_QUALIFIER = rf"(?P<qualifier>{_alternatives(list(_QUALIFIERS))}\s+)?"
_TAIL = rf"(?P<after>{_FILLER}{_AFTER})?(?P<period>\s+{_alternatives(list(_PERIODS))})?"
_QUANTITY = re.compile(
    rf"{_QUALIFIER}"
    rf"(?:(?P<from>(?<!\w)from\s+)|(?P<between>(?<!\w)between\s+))?"
    rf"(?P<first>{_ONE})"
    rf"(?:(?(from)(?!)|(?(between)\s+and\s+|\s*(?:to|-|\u2013)\s*))(?P<second>{_ONE}))?"
    rf"{_TAIL}",
    re.IGNORECASE,
)
# The same without a second number: for a match whose two numbers are no range ("US$1 million to 2,000").
_SINGLE = re.compile(
    rf"{_QUALIFIER}(?P<from>(?<!\w)from\s+)?(?P<between>(?!))?(?P<first>{_ONE})(?P<second>(?!))?{_TAIL}",
    re.IGNORECASE,
)
_NUMBER_PARTS = re.compile(
    rf"(?:(?P<currency>{_CURRENCY})\s*)?(?P<number>{_NUMBER})(?P<scale>{_SCALE})?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_CUE_BEFORE = re.compile(rf"\b(?:{'|'.join(DATE_CUES)})\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text: `text[start:end] == stated`, amount as the full value (3.1e9)."""

    start: int
    end: int
    stated: str
    amount: float
    unit: str | None  # ISO 4217 code or a unit of UNITS; None: a scaled count of unnamed things
    scale: Scale | None
    period: str | None  # "year", "month", "day"
    lower: float | None
    upper: float | None
    approximate: bool

    def plain(self) -> dict[str, Any]:
        """The proposal as claim data: the quote's sub-span and its stated text with the reading."""
        return {
            "amount": self.amount,
            "unit": self.unit,
            "scale": self.scale,
            "period": self.period,
            "lower": self.lower,
            "upper": self.upper,
            "approximate": self.approximate,
            "span": {"start": self.start, "end": self.end},
            "stated": self.stated,
        }

    def claim_data(self) -> dict[str, Any]:
        """The proposal in the claim format's shape (`text`: the stated words at `span`)."""
        data = self.plain()
        data["text"] = data.pop("stated")
        return data


@dataclass(frozen=True)
class _Number:
    """One number as written: its value before scaling, the scale's factor and name, a prefix currency."""

    value: Decimal
    factor: int
    scale: Scale | None
    currency: str | None

    @property
    def amount(self) -> Decimal:
        return self.value * self.factor


def _number(text: str) -> _Number:
    match = _NUMBER_PARTS.fullmatch(text.strip())
    if match is None:  # pragma: no cover - `text` is a match of _ONE
        raise ValueError(text)
    raw = " ".join(match["number"].lower().split())
    value = Decimal(_WORD_NUMBERS[raw] if raw[0].isalpha() else raw.replace(",", ""))
    currency = _CURRENCY_BEFORE[match["currency"].lower()] if match["currency"] else None
    factor, scale = _SCALES[match["scale"].strip().lower()] if match["scale"] else (1, None)
    return _Number(value, factor, scale, currency)


def _unit_after(after: str) -> str | None:
    words = " ".join(after.lower().split())
    for name in sorted({**_CURRENCY_AFTER, **UNITS}, key=len, reverse=True):
        if words.endswith(name):
            return _CURRENCY_AFTER.get(name) or UNITS[name]
    return None  # pragma: no cover - `after` ends in one of the names


def _is_year_after_cue(text: str, match: re.Match[str], first: _Number) -> bool:
    """A bare year after a date cue ("in 2019 drivers ...") is a date, whatever follows."""
    digits = match["first"]
    return (
        first.currency is None
        and first.scale is None
        and first.factor == 1
        and _YEAR.fullmatch(digits) is not None
        and not match["qualifier"]
        and bool(_CUE_BEFORE.search(text, max(0, match.start() - 20), match.start()))
    )


def _is_range(first: _Number, second: _Number) -> bool:
    """Two numbers joined by "to"/"and"/"-" make a range only if alike and rising ("2 to 3 billion")."""
    return (
        first.factor == second.factor
        and (second.currency is None or second.currency == first.currency)
        and first.amount < second.amount
    )


def find_quantities(text: str) -> list[Quantity]:
    """The quantities stated in `text`, in order, with offsets into `text`."""
    found: list[Quantity] = []
    position = 0
    while (match := _QUANTITY.search(text, position)) is not None:
        first = _number(match["first"])
        second = _number(match["second"]) if match["second"] else None
        if second is not None and first.factor == 1 and second.factor != 1:
            # "between 2 and 3 billion": the scale stated once applies to both ends.
            first = _Number(first.value, second.factor, second.scale, first.currency)
        if second is not None and not _is_range(first, second):
            # Not a range: the first number alone. "between 2 and US$3 billion" has no single quantity
            # starting at "between" (a single one never does), so it is read from its number.
            single = _SINGLE.match(text, match.start()) or _SINGLE.match(text, match.start("first"))
            if single is None:  # pragma: no cover - _SINGLE matches wherever _QUANTITY's first number does
                position = match.start() + 1
                continue
            match, first, second = single, _number(single["first"]), None
        position = max(match.end(), position + 1)
        currency = first.currency or (second.currency if second else None)
        unit = currency or (_unit_after(match["after"]) if match["after"] else None)
        if unit is None and first.factor == 1:
            continue  # a bare number: a year, a section, a phone number, an ordinal's digits, a duration
        if _is_year_after_cue(text, match, first):
            continue
        is_lower, is_upper, approximate = _QUALIFIERS.get(
            " ".join((match["qualifier"] or "").lower().split()), (False, False, False)
        )
        amount = float(first.amount)
        lower = amount if is_lower else None
        upper = amount if is_upper else None
        if second is not None:  # a range: its amount is its lower end, a figure the text states
            lower, upper = amount, float(second.amount)
        start = match.start("first") if match["from"] and not match["qualifier"] else match.start()
        found.append(
            Quantity(
                start=start,
                end=match.end(),
                stated=text[start : match.end()],
                amount=amount,
                unit=unit,
                scale=first.scale or (second.scale if second else None),
                period=_PERIODS[" ".join(match["period"].lower().split())] if match["period"] else None,
                lower=lower,
                upper=upper,
                approximate=approximate,
            )
        )
    return found
