"""The document contract: a held document (its text served) or a cited one (its citation only)."""

import datetime as dt

from pydantic import Field

from app.schemas.common import PartialDate, Schema
from app.schemas.measures import Precision


class DocumentSummary(Schema):
    """A source document's metadata; fields the source does not state are null."""

    id: str
    title: str
    text_held: bool = Field(
        description="True when the API holds the document's text (its claims quote it); false for a cited "
        "document, whose claims paraphrase it (`sha256`, `length` and `text` null)."
    )
    sha256: str | None = Field(
        description="SHA-256 of the UTF-8 text, for checking a copy; null if not held."
    )
    language: str | None
    publisher: str | None
    url: str | None
    published_date: PartialDate | None
    published_precision: Precision | None = Field(description="`published_date`'s precision.")
    retrieved_date: dt.date | None
    retrieved_precision: Precision | None = Field(description="`retrieved_date`'s precision (a day).")
    length: int | None = Field(
        description="Length of the text in Unicode code points (the unit of claim spans); null if not held."
    )
    claim_count: int


class DocumentPublic(DocumentSummary):
    """A source document with its full text (null for a cited document)."""

    text: str | None
