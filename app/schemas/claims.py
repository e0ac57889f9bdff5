"""The claim contract: what a document says, kept apart from what other sources add."""

from typing import Literal

from pydantic import Field

from app.models import ClaimKind, EntityType
from app.schemas.common import PartialDate, Schema

ClaimBasis = Literal["quote", "paraphrase"]


class Span(Schema):
    """Offsets of the quote in its document's text, in Unicode code points, end exclusive."""

    start: int
    end: int


class ThemeRef(Schema):
    """A theme a claim concerns."""

    slug: str
    name: str


class EntityRef(Schema):
    """An entity a claim names or refers to."""

    slug: str
    name: str
    type: EntityType


class Source(Schema):
    """A publication cited by a context note; unknown fields are null."""

    title: str | None
    publisher: str | None
    url: str | None
    date: str | None = Field(description="ISO 8601 date, or just the year, as the source gives it.")


class ContextNotePublic(Schema):
    """What other sources say that bears on the claim: not part of the document."""

    note: str
    sources: list[Source]


class ClaimSource(Schema):
    """The document a claim comes from, as a citation: who published it, what, where and when."""

    document_id: str
    title: str
    publisher: str | None
    url: str | None
    published_date: PartialDate | None
    text_held: bool = Field(
        description="Whether the API holds the document's text (`GET /v1/documents/{id}` serves it)."
    )


class ClaimPublic(Schema):
    """One checkable proposition and what it rests on: a verbatim quote and where it stands in a held
    document, or our paraphrase of what a cited document states."""

    id: str
    statement: str = Field(description="The claim, readable without context.")
    basis: ClaimBasis = Field(
        description="`quote`: the claim rests on `quote`, the document's exact words at `span`. "
        "`paraphrase`: the claim is our paraphrase of a cited document whose text we do not hold; "
        "`quote` and `span` are null."
    )
    quote: str | None = Field(
        description="The document's exact words: `document.text[span.start:span.end]`; null for a paraphrase."
    )
    kind: ClaimKind
    document_id: str
    span: Span | None = Field(description="Where the quote stands in the document; null for a paraphrase.")
    source: ClaimSource
    themes: list[ThemeRef]
    entities: list[EntityRef]
    context: list[ContextNotePublic] = Field(
        description="Notes from other sources; empty when none bear on the claim."
    )
