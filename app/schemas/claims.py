"""The claim contract: what a document says, kept apart from what other sources add."""

from typing import Literal, get_args

from pydantic import Field

from app.models import ClaimKind, EntityType, RelationType
from app.schemas.common import Page, PageMeta, PartialDate, Schema, _absent_unless_set
from app.schemas.measures import Precision, Quantity, Validity

ClaimBasis = Literal["quote", "paraphrase"]
# How another claim relates to this one, read from this claim: "supported_by" (the other supports
# it), "supports" (it supports the other), …; "same_as" either way round; "has_part": the other is a
# part of this one; "part_of": this one is a part of the other.
RelationReading = Literal[
    "supported_by",
    "contradicted_by",
    "qualified_by",
    "supports",
    "contradicts",
    "qualifies",
    "same_as",
    "has_part",
    "part_of",
]
RELATION_READINGS: tuple[str, ...] = get_args(RelationReading)


class Span(Schema):
    """Offsets of the quote in its document's text, in Unicode code points, end exclusive."""

    start: int
    end: int


class TextPositionSelector(Schema):
    """W3C `TextPositionSelector`: the quote's offsets (as `span`) in the anchor's version."""

    type: Literal["TextPositionSelector"]
    start: int
    end: int


class TextQuoteSelector(Schema):
    """W3C `TextQuoteSelector`: the quote with the 32 code points before and after it in the anchor's
    version (fewer at the text's ends)."""

    type: Literal["TextQuoteSelector"]
    exact: str
    prefix: str
    suffix: str


AnchorStatus = Literal["anchored", "orphaned"]


class Anchor(Schema):
    """Where the quote stands in one version of the document's text. A new version moves the claim only
    where `prefix` + `exact` + `suffix` occurs in it exactly once; else the claim is `orphaned`."""

    document_version: int = Field(ge=1, description="The version the selectors and `span` point into.")
    status: AnchorStatus = Field(
        description="`anchored`: in the current text; `orphaned`: in an older version, until a curator "
        "places the claim again."
    )
    position: TextPositionSelector
    quote: TextQuoteSelector


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
    published_precision: Precision | None = Field(description="`published_date`'s precision.")
    retrieved_date: PartialDate | None = Field(description="When we retrieved it; null when not recorded.")
    retrieved_precision: Precision | None = Field(description="`retrieved_date`'s precision.")
    text_held: bool = Field(
        description="Whether the API holds the document's text (`GET /v1/documents/{id}` serves it)."
    )


class RelatedClaim(Schema):
    """The other claim of a relation, with what it rests on and its source."""

    id: str
    statement: str
    basis: ClaimBasis
    quote: str | None = Field(description="Its document's exact words; null for a paraphrase.")
    kind: ClaimKind
    source: ClaimSource


class ClaimRelationRef(Schema):
    """A relation of the claim to another claim (`GET /v1/relations/{relation_id}`)."""

    relation_id: int
    relation: RelationReading = Field(
        description="How the other claim relates to this one, read from this one: `supported_by`, "
        "`contradicted_by`, `qualified_by` (the other claim supports, contradicts, qualifies this one); "
        "`supports`, `contradicts`, `qualifies` (this one does so to the other); `same_as` (a duplicate); "
        "`has_part` (the other is a part of this one); `part_of` (this one is a part of the other)."
    )
    type: RelationType = Field(description="The relation as stored: subject `type` object.")
    note: str = Field(description="The curator's note on how the two claims bear on each other.")
    claim: RelatedClaim


class Corroboration(Schema):
    """How many independent sources bear on the claim through its relations. A source is a publisher
    (compared case-insensitively; never a URL), or a document when its publisher is unknown; the claim's
    own document and publisher do not count."""

    supporting_sources: int = Field(ge=0, description="Independent sources of the claims that support it.")
    contradicting_sources: int = Field(ge=0, description="… of the claims that contradict it.")
    qualifying_sources: int = Field(ge=0, description="… of the claims that qualify it.")


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
        description="The document's exact words: `text[span.start:span.end]` of the version "
        "`anchor.document_version`; null for a paraphrase."
    )
    kind: ClaimKind
    document_id: str
    span: Span | None = Field(description="Where the quote stands in the document; null for a paraphrase.")
    anchor: Anchor | None = Field(description="The quote's W3C selectors; null for a paraphrase.")
    source: ClaimSource
    themes: list[ThemeRef]
    entities: list[EntityRef]
    context: list[ContextNotePublic] = Field(
        description="Notes from other sources; empty when none bear on the claim."
    )
    relations: list[ClaimRelationRef] = Field(
        description="Its relations to other claims, each with the other claim and its source: by `relation` "
        "in the order of its values, then in list order of the other claim."
    )
    corroboration: Corroboration
    validity: Validity = Field(
        description="When the claim holds, as its text or source states it; `valid_from` null: undated, "
        "never read as always true (`as_of` leaves it out unless `include_undated=true`)."
    )
    quantities: list[Quantity] = Field(
        description="The figures it states, in the order stated; empty when it states none."
    )


class ClaimPageMeta(PageMeta):
    """Where a page of claims stands in its result set, and what `as_of` left out."""

    # Absent unless `as_of` is given (answers without it keep their shape).
    undated_left_out: int | None = Field(
        default=None,
        ge=0,
        description="With `as_of`: how many claims matching the other filters were left out for being "
        "undated (no `validity.valid_from`); 0 with `include_undated=true`. Absent without `as_of`.",
        json_schema_extra=_absent_unless_set,
    )


class ClaimPage(Page[ClaimPublic]):
    """A page of claims."""

    meta: ClaimPageMeta
