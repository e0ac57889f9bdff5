"""The search and autocomplete contracts."""

from typing import Literal

from pydantic import Field

from app.models import EntityType
from app.schemas.common import Schema

SearchKind = Literal["claim", "entity", "theme"]


class SearchHit(Schema):
    """One ranked match: a claim, an entity or a theme."""

    type: SearchKind
    id: str = Field(description="The claim id, or the entity or theme slug.")
    title: str = Field(description="The claim's statement, or the entity's or theme's name.")
    score: float = Field(description="Relevance; larger is better. Comparable within one result list.")
    snippet: str = Field(
        description="The best-matching text (for a claim, its verbatim quote when the quote matches), "
        "HTML-escaped, with matched words in <mark>…</mark>."
    )
    field: Literal["title", "body"] = Field(description="Which text the snippet comes from.")


class Suggestion(Schema):
    """An entity or theme whose name or alias starts with what was typed."""

    type: Literal["entity", "theme"]
    slug: str
    name: str
    matched: str = Field(description="The name or alias that matched.")
    entity_type: EntityType | None = Field(description="For entities: what kind of entity (disambiguation).")
    claim_count: int
