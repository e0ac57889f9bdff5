"""The annotation file format: what a curator writes by hand, validated field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models import ClaimKind, EntityType

FORMAT = "sectorfacts-annotations/1"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Refuses unknown keys, so a typo in a field name is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(Strict):
    """A source document; its text lives in `text_file` beside the annotation file."""

    id: Slug
    title: Text
    text_file: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    language: str | None = None
    publisher: str | None = None
    url: str | None = None
    published_date: dt.date | None = None
    retrieved_date: dt.date | None = None


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


class ClaimIn(Strict):
    """One checkable proposition and the verbatim quote it rests on."""

    id: Slug
    document: Slug
    statement: Text
    quote: str = Field(min_length=1)
    span: SpanIn
    kind: ClaimKind
    themes: list[Slug] = Field(min_length=1)
    entities: list[Slug] = Field(default_factory=list)
    context: list[ContextNoteIn] = Field(default_factory=list)


class AnnotationFile(Strict):
    """A whole annotation file: documents, themes, entities and claims."""

    format: Literal["sectorfacts-annotations/1"]
    documents: list[DocumentIn] = Field(min_length=1)
    themes: list[ThemeIn] = Field(default_factory=list)
    entities: list[EntityIn] = Field(default_factory=list)
    claims: list[ClaimIn] = Field(default_factory=list)
