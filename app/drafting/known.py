"""What the drafter already knows: themes, entities and annotated examples, from a seed file or a database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.db import Database
from app.schemas.annotations import EntityIn, ThemeIn
from app.services.annotations import read_annotations
from app.services.tables import CLAIM, CLAIM_THEME, DOCUMENT, ENTITY, ENTITY_ALIAS, THEME


@dataclass(frozen=True)
class Example:
    """One annotated claim: its text (quote and statement), themes, and where it is (for held-out tests)."""

    claim_id: str
    document: str
    start: int
    end: int
    quote: str
    statement: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Known:
    """Themes (in their seed order), entities and theme-annotated examples the drafter learns from."""

    themes: list[ThemeIn]
    entities: list[EntityIn]
    examples: list[Example] = field(default_factory=list)
    documents: frozenset[str] = frozenset()

    def without(self, dropped: set[str]) -> Known:
        """The same knowledge with the examples whose claim ids are in `dropped` left out."""
        kept = [e for e in self.examples if e.claim_id not in dropped]
        return Known(self.themes, self.entities, kept, self.documents)


def known_from_seed(path: Path) -> Known:
    """Read and validate an annotation file; raises app.services.annotations.SeedError."""
    data = read_annotations(path)
    annotations = data.annotations
    examples = [
        Example(c.id, c.document, c.span.start, c.span.end, c.quote, c.statement, tuple(c.themes))
        for c in annotations.claims
    ]
    return Known(
        list(annotations.themes),
        list(annotations.entities),
        examples,
        frozenset(d.id for d in annotations.documents),
    )


def known_from_database(database: Database) -> Known:
    """The themes, entities and claims stored in a database."""
    with database.read() as connection:
        themes = [
            ThemeIn(slug=row.slug, name=row.name, description=row.description)
            for row in connection.execute(
                select(THEME.c.slug, THEME.c.name, THEME.c.description).order_by(THEME.c.position)
            )
        ]
        aliases: dict[int, list[str]] = defaultdict(list)
        for row in connection.execute(
            select(ENTITY_ALIAS.c.entity_id, ENTITY_ALIAS.c.alias).order_by(ENTITY_ALIAS.c.position)
        ):
            aliases[row.entity_id].append(row.alias)
        entities = [
            EntityIn(
                slug=row.slug,
                name=row.name,
                type=row.type,
                aliases=aliases[row.id],
                description=row.description,
                external_ids=dict(row.external_ids or {}),
            )
            for row in connection.execute(select(ENTITY).order_by(ENTITY.c.id))
        ]
        claim_themes: dict[str, list[str]] = defaultdict(list)
        for row in connection.execute(
            select(CLAIM_THEME.c.claim_id, THEME.c.slug)
            .join(THEME, THEME.c.id == CLAIM_THEME.c.theme_id)
            .order_by(CLAIM_THEME.c.claim_id, THEME.c.position)
        ):
            claim_themes[row.claim_id].append(row.slug)
        examples = [
            Example(
                row.id,
                row.document_id,
                row.span_start,
                row.span_end,
                row.quote,
                row.statement,
                tuple(claim_themes[row.id]),
            )
            for row in connection.execute(select(CLAIM).order_by(CLAIM.c.document_id, CLAIM.c.span_start))
        ]
        documents = frozenset(connection.execute(select(DOCUMENT.c.id)).scalars())
    return Known(themes, entities, examples, documents)
