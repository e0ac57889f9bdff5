"""The citation contract: a claim's quote with everything needed to cite it."""

from pydantic import Field

from app.schemas.claims import ClaimPublic, Span
from app.schemas.common import PartialDate, Schema


class CitedDocument(Schema):
    """The source document the quote comes from; fields the source does not state are null."""

    id: str
    title: str
    publisher: str | None
    url: str | None
    published_date: PartialDate | None


class Citation(Schema):
    """A ready-made citation of one claim."""

    claim_id: str
    quote: str | None = Field(description="The document's exact words; null for a paraphrase.")
    statement: str
    source: CitedDocument
    permalink: str = Field(description="Absolute URL of the claim in this API.")
    text_fragment_url: str | None = Field(
        description="The document's URL with a `#:~:text=` fragment that highlights the quote in a browser; "
        "null when the document has no known URL."
    )
    citation: str = Field(
        description="Plain-text citation: “quote” — title, publisher, date. URL (the permalink when the "
        "document has no URL)."
    )


class SpannedCitation(Citation):
    """A citation with where the quote stands in its document's text."""

    span: Span | None = Field(
        description="The quote's offsets in the document's text (code points, end exclusive); null for a "
        "paraphrase."
    )


class CitedClaim(ClaimPublic):
    """A claim with its citation alongside: what an assistant quotes and how it credits the source."""

    permalink: str = Field(description="Absolute URL of the claim in this API.")
    text_fragment_url: str | None = Field(description="The document's URL highlighting the quote; or null.")
    citation: str = Field(description="Plain-text citation: “quote” — title, publisher, date. URL.")


class CitedClaimPage(Schema):
    """A page of cited claims; pass `next_cursor` back for the next one (null on the last)."""

    data: list[CitedClaim]
    total: int = Field(description="Claims matching, over all pages.")
    next_cursor: str | None
