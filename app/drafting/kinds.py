"""Kind proposal from lexical cues: recommendation, prediction, opinion, else fact (checked in that order)."""

from __future__ import annotations

import re

from app.models import ClaimKind

_CUES: list[tuple[ClaimKind, re.Pattern[str]]] = [
    (
        "recommendation",
        re.compile(
            r"\b(?:needs? to|should|must|ought to|ha(?:s|ve) to|it is (?:essential|crucial|vital|imperative)"
            r"|calls? for|recommend\w*|urge[sd]?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "prediction",
        re.compile(
            r"\b(?:will|shall|poised|future|expected|expects?|forecasts?|projected|projections?|likely"
            r"|set to|going to|on track to|anticipated?|by 20\d\d)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "opinion",
        re.compile(
            r"\b(?:remarkable|impressive|vibrant|dynamic|notable|burgeoning|thriving|booming|exciting"
            r"|promising|incredible|outstanding|tremendous|exceptional|unprecedented|excellent|cutting-edge"
            r"|world-class|exceedingly|testament|prowess|bright)\b",
            re.IGNORECASE,
        ),
    ),
]


def propose_kind(text: str) -> tuple[ClaimKind, str | None]:
    """The proposed kind of a sentence and the cue that decided it (None: no cue, so a fact)."""
    for kind, pattern in _CUES:
        if match := pattern.search(text):
            return kind, match.group()
    return "fact", None
