"""The claim contract: what a document says, kept apart from what other sources add."""

from pydantic import Field

from app.models import ClaimKind, EntityType
from app.schemas.common import Schema


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


class ClaimPublic(Schema):
    """One checkable proposition, the verbatim quote it rests on, and where that quote stands."""

    id: str
    statement: str = Field(description="The claim, readable without context.")
    quote: str = Field(description="The document's exact words: `document.text[span.start:span.end]`.")
    kind: ClaimKind
    document_id: str
    span: Span
    themes: list[ThemeRef]
    entities: list[EntityRef]
    context: list[ContextNotePublic] = Field(
        description="Notes from other sources; empty when none bear on the claim."
    )
