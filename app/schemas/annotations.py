"""The annotation file format: what a curator writes by hand, validated field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.models import ClaimKind, EntityType, RelationType
from app.schemas.common import NOT_A_CLAIM_ROUTE, NOT_A_CLAIM_ROUTE_SCHEMA, PartialDate
from app.schemas.measures import Quantity, ValidityIn

# The format files are written in; /1 files (no cited documents, paraphrases or relations) stay valid.
FORMAT = "sectorfacts-annotations/2"
FORMATS = ("sectorfacts-annotations/1", FORMAT)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Refuses unknown keys, so a typo in a field name is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(Strict):
    """A source document: held, its text in `text_file` beside the annotation file and pinned by `sha256`;
    or cited (neither given), its citation only: we hold none of its text."""

    id: Slug
    title: Text
    text_file: Text | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    language: str | None = None
    publisher: str | None = None
    url: str | None = None
    published_date: PartialDate | None = None
    retrieved_date: dt.date | None = None

    @model_validator(mode="after")
    def _held_or_cited(self) -> DocumentIn:
        if (self.text_file is None) != (self.sha256 is None):
            raise ValueError(
                "give text_file and sha256 for a held document, or neither for a cited one (we hold no text)"
            )
        return self

    @property
    def held(self) -> bool:
        """True when the document's text is held (its claims quote it)."""
        return self.text_file is not None


class ThemeIn(Strict):
    """A theme: slug, name and a one-line description."""

    slug: Slug
    name: Text
    description: Text


class EntityIn(Strict):
    """An entity with its other names and identifiers in other databases."""

    slug: Slug
    name: Text
    type: EntityType
    aliases: list[Text] = Field(default_factory=list)
    description: Text
    external_ids: dict[str, str] = Field(default_factory=dict)


class SpanIn(Strict):
    """Code-point offsets into the document text, end exclusive."""

    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=1)]


class SourceIn(Strict):
    """A publication a context note rests on; unknown fields are null, never guessed."""

    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None


class ContextNoteIn(Strict):
    """What other sources say that bears on a claim."""

    note: Text
    sources: list[SourceIn] = Field(min_length=1)


class Quoted(NamedTuple):
    """A quoted claim's quote and its span (`start`, `end`)."""

    quote: str
    start: int
    end: int


class ClaimIn(Strict):
    """One checkable proposition: of a held document, with the verbatim quote it rests on and its span;
    of a cited document, with neither (the statement is our paraphrase of what the source states)."""

    id: Annotated[Slug, NOT_A_CLAIM_ROUTE, Field(json_schema_extra=NOT_A_CLAIM_ROUTE_SCHEMA)]
    document: Slug
    statement: Text
    quote: str | None = Field(default=None, min_length=1)
    span: SpanIn | None = None
    kind: ClaimKind
    themes: list[Slug] = Field(min_length=1)
    entities: list[Slug] = Field(default_factory=list)
    context: list[ContextNoteIn] = Field(default_factory=list)
    # When it holds and the figures it states (quantity spans index the quote, or a paraphrase's
    # statement): only what the text or its source gives.
    validity: ValidityIn | None = None
    quantities: list[Quantity] = Field(default_factory=list, max_length=20)

    @property
    def quoted(self) -> Quoted:
        """The claim's quote and span; raises ValueError for a paraphrase (a cited document's claim)."""
        if self.quote is None or self.span is None:
            raise ValueError(f"claim {self.id!r} is a paraphrase: it has no quote or span")
        return Quoted(self.quote, self.span.start, self.span.end)

    @property
    def order_key(self) -> tuple[str, int, int, str]:
        """The claim's place in list order: a paraphrase, with no span, at (0, 0) (app/models/claim.py)."""
        start, end = (self.span.start, self.span.end) if self.span is not None else (0, 0)
        return self.document, start, end, self.id


class RelationIn(Strict):
    """ "subject <type> object": how one claim bears on another, with the curator's note. Identified by
    the triple (no id); `part-of`: the subject is a part of the object; `same-as`: stored once."""

    subject: Slug
    type: RelationType
    object: Slug
    note: Text


class AnnotationFile(Strict):
    """A whole annotation file: documents, themes, entities, claims and (format /2) their relations."""

    format: Literal["sectorfacts-annotations/1", "sectorfacts-annotations/2"]
    documents: list[DocumentIn] = Field(min_length=1)
    themes: list[ThemeIn] = Field(default_factory=list)
    entities: list[EntityIn] = Field(default_factory=list)
    claims: list[ClaimIn] = Field(default_factory=list)
    relations: list[RelationIn] = Field(default_factory=list)
