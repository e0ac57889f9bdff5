"""The citation contract: a claim's quote with everything needed to cite it."""

import datetime as dt

from pydantic import Field

from app.schemas.common import Schema


class CitedDocument(Schema):
    """The source document the quote comes from; fields the source does not state are null."""

    id: str
    title: str
    publisher: str | None
    url: str | None
    published_date: dt.date | None


class Citation(Schema):
    """A ready-made citation of one claim."""

    claim_id: str
    quote: str = Field(description="The document's exact words.")
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
