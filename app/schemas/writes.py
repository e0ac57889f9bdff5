"""Request bodies of the write routes: the seed format's field rules, unknown fields refused, sizes bounded.

Ids of claims and notes, revisions, checksums and timestamps are the server's, so no body carries them.
PATCH bodies are merge patches: a field left out keeps its value; `null` clears only nullable fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.models import ClaimKind, EntityType, RelationType
from app.schemas.annotations import Slug, SpanIn
from app.schemas.common import PartialDate
from app.schemas.measures import Quantity, ValidityIn

MAX_DOCUMENT_LENGTH = 1_000_000


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and no engine stores a lone surrogate as UTF-8.
    if any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value):
        raise ValueError("contains a NUL character or an unpaired surrogate")
    return value


def _one_line(value: str) -> str:
    if any(ord(char) < 32 or ord(char) == 127 for char in _storable(value)):
        raise ValueError("contains a control character")
    return value


Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(_one_line)
]
Para = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), AfterValidator(_storable)
]
Quote = Annotated[str, StringConstraints(min_length=1, max_length=5000), AfterValidator(_storable)]
DocumentText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_DOCUMENT_LENGTH), AfterValidator(_storable)
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_one_line)
]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$", max_length=35)]
ExternalIdKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$")]


class Strict(BaseModel):
    """Refuses unknown fields: a typo is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Patch(Strict):
    """A merge patch: at least one field; `null` only for the fields listed in NULLABLE."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _fields_given(self) -> Patch:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        nulls = sorted(
            f for f in self.model_fields_set if getattr(self, f) is None and f not in self.NULLABLE
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (leave a field out to keep its value)")
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema says what the validator above enforces: at least one field, and `null` only
        where NULLABLE allows it (pydantic would otherwise document every optional field as nullable)."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["minProperties"] = 1
        for name, field in schema.get("properties", {}).items():
            if name in cls.NULLABLE or "anyOf" not in field:
                continue
            kept = [branch for branch in field["anyOf"] if branch.get("type") != "null"]
            field.pop("default", None)
            if len(kept) == 1:
                del field["anyOf"]
                field.update(kept[0])
            else:
                field["anyOf"] = kept
        return schema

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ClaimCreate(Strict):
    """A new claim. Of a held document: its `quote`, and `span` to pin it, or no span to have the quote's
    one place found. Of a cited document: no quote and no span, the statement paraphrasing the source."""

    document: Slug
    statement: Para
    quote: Quote | None = None
    span: SpanIn | None = None
    kind: ClaimKind
    themes: list[Slug] = Field(min_length=1, max_length=20)
    entities: list[Slug] = Field(default_factory=list, max_length=50)
    validity: ValidityIn | None = Field(
        default=None, description="When it holds, as the text or its source states it; omit when unstated."
    )
    quantities: list[Quantity] = Field(
        default_factory=list,
        max_length=20,
        description="The figures it states; each `span` indexes the quote (a paraphrase: the statement).",
    )


class ClaimPatch(Patch):
    """Changes to a claim; a new `quote` without `span` is looked up in the document (it must occur once).
    `validity: null` clears the dates; `quantities` replaces the figures (each must still stand at its span
    in the quote, or a paraphrase's statement, after the patch)."""

    NULLABLE = frozenset({"validity"})

    statement: Para | None = None
    quote: Quote | None = None
    span: SpanIn | None = None
    kind: ClaimKind | None = None
    themes: list[Slug] | None = Field(default=None, min_length=1, max_length=20)
    entities: list[Slug] | None = Field(default=None, max_length=50)
    validity: ValidityIn | None = None
    quantities: list[Quantity] | None = Field(default=None, max_length=20)


class ThemeCreate(Strict):
    """A new theme; it is listed after the existing ones."""

    slug: Slug
    name: Line
    description: Para


class ThemePatch(Patch):
    """Changes to a theme (its slug is its permanent id)."""

    name: Line | None = None
    description: Para | None = None


class EntityCreate(Strict):
    """A new entity, with its other names and its ids in other databases."""

    slug: Slug
    name: Line
    type: EntityType
    description: Para
    aliases: list[Line] = Field(default_factory=list, max_length=50)
    external_ids: dict[ExternalIdKey, Line] = Field(default_factory=dict, max_length=50)


class EntityPatch(Patch):
    """Changes to an entity; `aliases` and `external_ids` replace the whole list or map."""

    name: Line | None = None
    type: EntityType | None = None
    description: Para | None = None
    aliases: list[Line] | None = Field(default=None, max_length=50)
    external_ids: dict[ExternalIdKey, Line] | None = Field(default=None, max_length=50)


class SourceWrite(Strict):
    """A publication a context note rests on; unknown fields are null, never guessed."""

    title: Line | None = None
    publisher: Line | None = None
    url: Url | None = None
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")] | None = None


class NoteCreate(Strict):
    """What another source says that bears on the claim; it is listed after the claim's other notes."""

    note: Para
    sources: list[SourceWrite] = Field(min_length=1, max_length=20)


class NotePatch(Patch):
    """Changes to a context note; `sources` replaces the whole list."""

    note: Para | None = None
    sources: list[SourceWrite] | None = Field(default=None, min_length=1, max_length=20)


class DocumentCreate(Strict):
    """A new source document: held, with its full text (its SHA-256 is computed by the server), or cited,
    without text (its claims then paraphrase it)."""

    id: Slug
    title: Line
    text: DocumentText | None = None
    language: Language | None = None
    publisher: Line | None = None
    url: Url | None = None
    published_date: PartialDate | None = None
    retrieved_date: dt.date | None = None


class DocumentPatch(Patch):
    """Changes to a document's metadata (a new text is a new version: `POST …/versions`)."""

    NULLABLE = frozenset({"language", "publisher", "url", "published_date", "retrieved_date"})

    title: Line | None = None
    language: Language | None = None
    publisher: Line | None = None
    url: Url | None = None
    published_date: PartialDate | None = None
    retrieved_date: dt.date | None = None


class DocumentVersionCreate(Strict):
    """A new version of a held document's full text, replacing its current text (claims re-anchor by their
    quote selectors, exactly, or are orphaned), with an optional note on what changed."""

    text: DocumentText
    note: Line | None = None


class RelationCreate(Strict):
    """A new relation: the subject claim `type` the object claim, with a note in the curator's words."""

    subject_id: Slug
    type: RelationType
    object_id: Slug
    note: Para


class RelationPatch(Patch):
    """Changes to a relation's type or note; its claims are fixed (delete it and relate others instead)."""

    type: RelationType | None = None
    note: Para | None = None
