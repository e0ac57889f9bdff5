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
    current_version: int | None = Field(
        ge=1,
        description="The version of `text`; null if not held.",
    )
    orphaned_claims: int = Field(
        ge=0,
        description="Claims a newer version of the text orphaned (`/v1/claims?orphaned=true`).",
    )


class DocumentPublic(DocumentSummary):
    """A source document with its full text (null for a cited document)."""

    text: str | None


class DocumentVersionSummary(Schema):
    """One version of a held document's text, without the text."""

    document_id: str
    version: int = Field(ge=1)
    current: bool = Field(description="Whether it is the document's current `text`.")
    sha256: str
    length: int = Field(ge=1)
    created_at: dt.datetime | None = Field(description="When the API recorded it; null if unknown (seeded).")
    note: str | None


class DocumentVersionPublic(DocumentVersionSummary):
    """One version of a held document's text, with the text."""

    text: str


class TextReplaced(Schema):
    """A new version of a document's text, and where its claims stand now."""

    document_id: str
    version: int = Field(ge=1)
    sha256: str
    length: int = Field(ge=1)
    reanchored: int = Field(ge=0, description="Claims moved into the new text.")
    orphaned: list[str] = Field(description="Ids of the claims not anchored in the new text.")
