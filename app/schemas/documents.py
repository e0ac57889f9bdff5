"""The document contract."""

import datetime as dt

from pydantic import Field

from app.schemas.common import Schema


class DocumentSummary(Schema):
    """A source document's metadata; fields the source does not state are null."""

    id: str
    title: str
    sha256: str = Field(description="SHA-256 of the UTF-8 text, for checking a copy.")
    language: str | None
    publisher: str | None
    url: str | None
    published_date: dt.date | None
    retrieved_date: dt.date | None
    length: int = Field(description="Length of the text in Unicode code points (the unit of claim spans).")
    claim_count: int


class DocumentPublic(DocumentSummary):
    """A source document with its full text."""

    text: str
