"""Where a quote stands in its document: checked when the client gives a span, found when it does not."""

from __future__ import annotations

MAX_LISTED = 5


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    at = text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def check_span(text: str, quote: str, start: int, end: int) -> str | None:
    """None when `text[start:end] == quote`; else what is wrong (as the seed loader words it)."""
    if end <= start or end > len(text):
        return f"span {start}..{end} is outside the document (length {len(text)})"
    found = text[start:end]
    if found == quote:
        return None
    hint = ""
    if (at := text.find(quote)) >= 0:
        hint = f"; the quote occurs at {at}..{at + len(quote)}"
    return f"quote does not match the document text at span {start}..{end} (found {found!r}){hint}"


def find_span(text: str, quote: str, document_id: str) -> tuple[int, int] | str:
    """The quote's one place in the text, or why there is none (absent, or ambiguous)."""
    places = _occurrences(text, quote)
    if not places:
        return f"the quote does not occur in document {document_id!r} (it must be its exact words)"
    if len(places) > 1:
        listed = ", ".join(f"{at}..{at + len(quote)}" for at in places[:MAX_LISTED])
        more = ", …" if len(places) > MAX_LISTED else ""
        return (
            f"the quote occurs {len(places)} times in document {document_id!r} (at {listed}{more}); "
            "give `span` to choose one"
        )
    return places[0], places[0] + len(quote)
