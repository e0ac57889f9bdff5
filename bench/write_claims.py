"""The claims the single-write benchmarks write: a real quote of the corpus, two themes and two entities;
and the patch of its statement and themes (as bench/write_load.py's writers send them)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.db import Database
from app.schemas.annotations import SpanIn
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services.tables import CLAIM, ENTITY, THEME


@dataclass(frozen=True)
class Material:
    """Quotes (document, quote, span) to base claims on, and the themes and entities to tag them with."""

    bases: list[Any]
    themes: list[str]
    entities: list[str]

    def claim(self, rng: random.Random, label: str) -> ClaimCreate:
        """A new claim quoting one of the bases, its statement starting with `label`."""
        basis = rng.choice(self.bases)
        return ClaimCreate(
            document=basis.document_id,
            statement=f"{label}: {basis.quote[:200]}",
            quote=basis.quote,
            span=SpanIn(start=basis.span_start, end=basis.span_end),
            kind="fact",
            themes=sorted(rng.sample(self.themes, 2)),
            entities=rng.sample(self.entities, 2),
        )

    def patch(self, rng: random.Random, label: str) -> ClaimPatch:
        """A patch of a claim's statement (to `label`, edited) and themes."""
        return ClaimPatch(statement=f"{label}, edited.", themes=sorted(rng.sample(self.themes, 2)))


def material(database: Database) -> Material:
    """The corpus's first 5,000 quotes, its themes and 50 of its entities."""
    with database.read() as connection:
        columns = (CLAIM.c.document_id, CLAIM.c.quote, CLAIM.c.span_start, CLAIM.c.span_end)
        bases = connection.execute(select(*columns).where(CLAIM.c.quote.is_not(None)).limit(5000)).all()
        themes = list(connection.execute(select(THEME.c.slug)).scalars())
        entities = list(connection.execute(select(ENTITY.c.slug).limit(50)).scalars())
    return Material(list(bases), themes, entities)
