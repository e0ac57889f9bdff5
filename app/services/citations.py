"""Citations: a claim's quote with its source, permalink, text-fragment link and a formatted reference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote as percent_encode

from sqlalchemy import Connection, select

from app.db import Database
from app.schemas.citations import Citation, CitedDocument
from app.services.errors import NotFound
from app.services.tables import CLAIM, DOCUMENT

# Quotes longer than this many words are linked as `text=start,end` (WICG text fragments) …
LONG_QUOTE_WORDS = 10
# … with at least this many words on each side, more when fewer would match elsewhere first.
EDGE_WORDS = 3


def api_link(base_url: str, collection: str, key: str) -> str:
    """Absolute URL of GET /v1/{collection}/{key} under the API's base URL (with any root path)."""
    return f"{base_url.rstrip('/')}/v1/{collection}/{percent_encode(key, safe='')}"


def claim_permalink(base_url: str, claim_id: str) -> str:
    """Absolute URL of GET /v1/claims/{id}."""
    return api_link(base_url, "claims", claim_id)


def encode_fragment_text(text: str) -> str:
    """Percent-encode a text-directive term: everything but the spec's unreserved set, and `-` `&` `,` too."""
    return percent_encode(text, safe="").replace("-", "%2D")


def _fold(text: str) -> str:
    # Browsers match text fragments across collapsed whitespace and without regard to case.
    return " ".join(text.split()).casefold()


def _selects(haystack: str, at: int, length: int, head: str, tail: str) -> bool:
    """Whether `start,end` first matches exactly haystack[at:at+length] (the browser's first match)."""
    return haystack.find(head) == at and haystack.find(tail, at + len(head)) == at + length - len(tail)


def text_directive_terms(quote: str, document_text: str | None = None) -> list[str]:
    """The quote as `[text]`, or for a long quote `[textStart, textEnd]` of a few words each.

    The start and end are lengthened until they select exactly the quote: within `document_text`
    (the document as stored) when it contains the quote, else within the quote itself.
    """
    words = quote.split()
    whole = " ".join(words)
    if len(words) <= LONG_QUOTE_WORDS:
        return [whole]
    folded = whole.casefold()
    haystack = _fold(document_text) if document_text else ""
    at = haystack.find(folded)
    if at < 0:
        haystack, at = folded, 0
    for count in range(EDGE_WORDS, (len(words) - 1) // 2 + 1):
        head, tail = " ".join(words[:count]), " ".join(words[-count:])
        if _selects(haystack, at, len(folded), head.casefold(), tail.casefold()):
            return [head, tail]
    return [whole]


def text_fragment_url(url: str | None, quote: str, document_text: str | None = None) -> str | None:
    """`url#:~:text=…` highlighting the quote (WICG Text Fragments), or None when there is no URL."""
    if not url:
        return None
    directive = "text=" + ",".join(
        encode_fragment_text(term) for term in text_directive_terms(quote, document_text)
    )
    if "#" not in url:
        return f"{url}#:~:{directive}"
    # Keep an existing fragment; the directive follows it (or joins an existing directive).
    return f"{url}&{directive}" if ":~:" in url.split("#", 1)[1] else f"{url}:~:{directive}"


def citation_text(
    quote: str | None,
    title: str,
    publisher: str | None,
    published: str | None,
    link: str,
    statement: str = "",
) -> str:
    """“quote” — title, publisher, date. link; unknown publisher and date are said, never guessed. A
    paraphrase (no quote) is cited as our words, unquoted: `statement (paraphrase) — title, …`."""
    date = published + "." if published else "n.d."
    said = f"“{' '.join((quote or '').split())}”"
    if quote is None:
        said = f"{' '.join(statement.split())} (paraphrase)"
    return f"{said} — {title}, {publisher or 'unknown publisher'}, {date} {link}"


def _citation(row: Any, base_url: str) -> Citation:
    permalink = claim_permalink(base_url, row.id)
    source = CitedDocument(
        id=row.document_id,
        title=row.title,
        publisher=row.publisher,
        url=row.url,
        published_date=row.published_date,
    )
    return Citation(
        claim_id=row.id,
        quote=row.quote,
        statement=row.statement,
        source=source,
        permalink=permalink,
        text_fragment_url=text_fragment_url(row.url, row.quote, row.text) if row.quote is not None else None,
        citation=citation_text(
            row.quote, row.title, row.publisher, row.published_date, row.url or permalink, row.statement
        ),
    )


def citations_of(connection: Connection, claim_ids: Sequence[str], *, base_url: str) -> dict[str, Citation]:
    """Citations of the claims with these ids that exist, by id, in one query."""
    if not claim_ids:
        return {}
    query = (
        select(
            CLAIM.c.id,
            CLAIM.c.quote,
            CLAIM.c.statement,
            DOCUMENT.c.id.label("document_id"),
            DOCUMENT.c.title,
            DOCUMENT.c.publisher,
            DOCUMENT.c.url,
            DOCUMENT.c.published_date,
            DOCUMENT.c.text,
        )
        .join_from(CLAIM, DOCUMENT, DOCUMENT.c.id == CLAIM.c.document_id)
        .where(CLAIM.c.id.in_(list(claim_ids)))
    )
    return {row.id: _citation(row, base_url) for row in connection.execute(query)}


def cite_claim(database: Database, claim_id: str, *, base_url: str) -> Citation:
    """A ready citation of one claim, its links built under `base_url`; raises NotFound."""
    with database.read() as connection:
        found = citations_of(connection, [claim_id], base_url=base_url)
    if claim_id not in found:
        raise NotFound("claim", claim_id)
    return found[claim_id]
