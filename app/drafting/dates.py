"""Dates in a sentence as partial ISO dates, and the validity (valid_from, valid_to) they propose for a claim.

A date is only what the text states, at the precision it states it (docs/drafting.md lists the rules):

    "2019-03-26", "26 March 2019", "March 26, 2019"  -> "2019-03-26" (day)
    "March 2019", "2019-03"                         -> "2019-03"    (month)
    "in 2019"                                       -> "2019"       (year)
    "Q1 2020"                                       -> "2020-01/2020-03" (an interval of months)
    "FY2022-23", "2022-23", "2018-2019"             -> "2022/2023"  (an interval of years: which months a
                                                       fiscal year has is not stated, so not guessed)
    "the 2010s"                                     -> "2010/2019"
    "between 2015 and 2019", "from 2015 to 2019"    -> "2015/2019"

Slashed numeric dates ("03/04/2019") are not read: day-first or month-first would be a guess. A year inside a
quantity ("2,019 drivers", "US$2019") or in a run of digits (a phone number) is no date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Literal

Precision = Literal["year", "month", "day"]
Cue = Literal["since", "until", "by", "in", "before", "after", "between"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for name in names
}
# Month names are matched capitalised only ("may 2019" is not a month); an abbreviation may take a dot.
_MONTH = r"(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?(?![a-z])"
_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
# Not glued to digits, to a digit group across a space (phone numbers), to a decimal or to a currency sign.
_ALONE_BEFORE = r"(?<![\w$€£.,/+-])(?<!\d )"
_ALONE_AFTER = r"(?![\w%]|[.,/-]\d| \d)"

_FORMS: list[tuple[str, str]] = [
    ("iso_day", rf"{_ALONE_BEFORE}{_YEAR.format('y')}-(?P<m>[01]\d)-(?P<d>[0-3]\d){_ALONE_AFTER}"),
    (
        "fiscal",
        rf"(?:(?P<fy>\bFY ?|\b[Ff]iscal year |\b[Ff]inancial year )|{_ALONE_BEFORE}){_YEAR.format('y')}"
        rf"[-\u2013/](?P<y2>\d\d(?:\d\d)?){_ALONE_AFTER}",
    ),
    (
        "day_month_year",
        rf"(?<!\w){_DAY.format('d')} {_MONTH.format('mn')},? {_YEAR.format('y')}{_ALONE_AFTER}",
    ),
    (
        "month_day_year",
        rf"(?<!\w){_MONTH.format('mn')} {_DAY.format('d')}, {_YEAR.format('y')}{_ALONE_AFTER}",
    ),
    ("month_year", rf"(?<!\w){_MONTH.format('mn')},? {_YEAR.format('y')}{_ALONE_AFTER}"),
    ("quarter", rf"(?<!\w)Q(?P<q>[1-4]) {_YEAR.format('y')}{_ALONE_AFTER}"),
    ("decade", r"(?<!\w)(?:the )?(?P<dec>(?:19|20)\d0)s(?!\w)"),
    ("year", rf"{_ALONE_BEFORE}(?:FY ?)?{_YEAR.format('y')}{_ALONE_AFTER}"),
]
_DATE = re.compile(
    "|".join(f"(?P<{name}>{pattern.replace('(?P<', f'(?P<{name}_')})" for name, pattern in _FORMS)
)

# The word(s) right before a date that say how a claim holds in time.
_CUES: dict[str, Cue] = {
    "since": "since",
    "from": "since",
    "as of": "since",
    "starting in": "since",
    "starting from": "since",
    "beginning in": "since",
    "until": "until",
    "till": "until",
    "through": "until",
    "up to": "until",
    "by": "by",
    "in": "in",
    "on": "in",
    "at": "in",
    "during": "in",
    "before": "before",
    "after": "after",
    "between": "between",
}
_CUE = re.compile(
    r"(?<!\w)(?P<cue>"
    + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in sorted(_CUES, key=len, reverse=True))
    + r")\s+(?:(?:early|mid|late|the\s+(?:end|start|beginning|middle|(?:first|second)\s+half)\s+of)[\s-]+)?$",
    re.IGNORECASE,
)
_CUE_REACH = 60  # longer than any cue with its "the first half of" and spaces
# What joins two dates into one interval: "between 2015 and 2019", "from 2015 to 2019", "2015 - 2019".
_DASHES = "-\u2013\u2014"
_JOIN = re.compile(r"\s*(?:and|to|until|till|through|\u2013|\u2014|-)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date stated in a text (`text[start:end] == stated`): a partial ISO date, or an interval "A/B"."""

    start: int
    end: int
    stated: str
    value: str
    cue: Cue | None

    @property
    def first(self) -> str:
        """The date, or the interval's start."""
        return self.value.split("/")[0]

    @property
    def last(self) -> str:
        """The date, or the interval's end."""
        return self.value.split("/")[-1]

    @property
    def precision(self) -> Precision:
        """year, month or day: how much of the (start) date the text states."""
        return precision_of(self.first)

    def plain(self) -> dict[str, Any]:
        """The mention as data: value, precision, cue and the sub-span of the quote."""
        return {
            "value": self.value,
            "precision": self.precision,
            "cue": self.cue,
            "span": {"start": self.start, "end": self.end},
            "stated": self.stated,
        }


@dataclass(frozen=True)
class Validity:
    """When a claim holds, as the text states it: partial ISO dates, either end open (None)."""

    valid_from: str | None
    valid_to: str | None
    reason: str

    def plain(self) -> dict[str, str | None]:
        """The proposal in the claim's shape."""
        return {"valid_from": self.valid_from, "valid_to": self.valid_to}


def precision_of(partial: str) -> Precision:
    """The precision of a partial ISO date: "2019" year, "2019-03" month, "2019-03-26" day."""
    return ("year", "month", "day")[partial.count("-")]


def _value(form: str, groups: dict[str, str | None]) -> str | None:
    """The partial ISO date (or interval) of one matched form; None if it names no real date."""

    def group(name: str) -> str:
        return groups.get(f"{form}_{name}") or ""

    if form == "decade":
        decade = int(group("dec"))
        return f"{decade}/{decade + 9}"
    year = int(group("y"))
    if form == "year":
        return f"{year:04d}"
    if form == "fiscal":
        second = group("y2")
        end = int(second) if len(second) == 4 else year // 100 * 100 + int(second)
        # "2022-23" and "2018-2019": consecutive years, a fiscal year (it wins over a month: "2011-12").
        # Otherwise "2019-03" is a month and "2010-15" an interval of years (a month if it could be one).
        if end == year + 1:
            return f"{year}/{end}"
        if groups.get("fiscal_fy"):
            return None
        if len(second) == 2 and 1 <= int(second) <= 12:
            return f"{year}-{second}"
        return f"{year}/{end}" if end > year else None
    if form == "quarter":
        quarter = int(group("q"))
        return f"{year}-{3 * quarter - 2:02d}/{year}-{3 * quarter:02d}"
    month = int(group("m")) if group("m") else _MONTHS[group("mn")]
    if form == "month_year":
        return f"{year}-{month:02d}"
    try:
        return datetime.date(year, month, int(group("d"))).isoformat()
    except ValueError:
        return None  # "31 February 2019", "2019-13-01": not a date


def _cue_before(text: str, start: int) -> re.Match[str] | None:
    """The cue word(s) ending right before `start` (looked for in the few characters before it)."""
    return _CUE.search(text, max(0, start - _CUE_REACH), start)


def find_dates(text: str, *, skip: list[tuple[int, int]] | None = None) -> list[DateMention]:
    """The dates stated in `text`, in order; `skip`: spans (quantities) whose digits are no date."""
    mentions: list[DateMention] = []
    position = 0
    while (match := _DATE.search(text, position)) is not None:
        position = match.end()
        form = match.lastgroup
        if form is None:  # pragma: no cover - every alternative is a named group
            continue
        if any(a < match.end() and match.start() < b for a, b in skip or []):
            continue
        value = _value(form, match.groupdict())
        if value is None:
            continue  # "31 February 2019", "2019-13-01": no date, and no part of it is read as one
        cue_match = _cue_before(text, match.start())
        cue = _CUES[" ".join(cue_match["cue"].lower().split())] if cue_match else None
        mentions.append(DateMention(match.start(), match.end(), match.group(), value, cue))
    return _join_intervals(text, mentions)


def _join_intervals(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """ "between A and B", "from A to B", "A - B": one interval from A's start to B's end."""
    joined: list[DateMention] = []
    for mention in mentions:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and "/" not in previous.value
            and "/" not in mention.value
            and _JOIN.fullmatch(text[previous.end : mention.start])
            and (
                previous.cue in ("since", "between")
                or text[previous.end : mention.start].strip() in "-\u2013\u2014"
            )
            and previous.first <= mention.last
        ):
            cue_start = previous.start
            if previous.cue in ("since", "between") and (cue := _cue_before(text, previous.start)):
                cue_start = cue.start()
            joined[-1] = DateMention(
                cue_start,
                mention.end,
                text[cue_start : mention.end],
                f"{previous.first}/{mention.last}",
                "between" if previous.cue in ("since", "between") else previous.cue,
            )
            continue
        joined.append(mention)
    return joined


def propose_validity(mentions: list[DateMention]) -> Validity | None:
    """valid_from/valid_to from the dates' cues, or None when the dates do not say (see docs/drafting.md)."""
    if len(mentions) == 1:
        (date,) = mentions
        if date.cue is None or date.cue in ("before", "after"):
            # "the 2021 policy" names a thing, not when the claim holds; "after 2019" is open, and not
            # from 2019 itself.
            return None
        if "/" in date.value or date.cue == "between":
            return Validity(date.first, date.last, f'"{date.stated}": an interval')
        if date.cue == "since":
            return Validity(date.first, None, f'"{date.stated}": holds from then on')
        if date.cue in ("until", "by"):
            return Validity(None, date.last, f'"{date.stated}": holds up to then')
        return Validity(date.first, date.last, f'"{date.stated}": a point in time')
    if len(mentions) == 2:
        start, end = mentions
        if start.cue == "since" and end.cue in ("until", "by") and start.first <= end.last:
            return Validity(start.first, end.last, f'"{start.stated}" … "{end.stated}"')
    return None  # no date, or several that a curator must weigh
