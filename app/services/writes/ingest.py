"""Ingest: a new annotated document (the seed's format) loaded in one transaction, through the API's writes.

The file is validated as the seed loader validates it (every problem, each with its place), then
checked against the database: its documents and claim ids must be new. Themes and entities the
database already has are used as they are there; new ones are created. Every created resource (its
relations too, format /2) is logged as a change by `cli:ingest`. Any problem refuses the whole file and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, select

from app.db import Database
from app.schemas.writes import (
    ClaimCreate,
    DocumentCreate,
    EntityCreate,
    NoteCreate,
    RelationCreate,
    ThemeCreate,
)
from app.services.annotations import SeedData, SeedError, read_annotations
from app.services.claims import current_claim
from app.services.entities import current_entity
from app.services.errors import ProblemError
from app.services.tables import DOCUMENT, ENTITY, THEME
from app.services.themes import current_theme
from app.services.writes.claims import ClaimDocuments, create_claim
from app.services.writes.documents import create_document
from app.services.writes.entities import create_entity
from app.services.writes.history import ever_recorded
from app.services.writes.notes import create_note
from app.services.writes.relations import create_relation
from app.services.writes.themes import create_theme
from app.services.writes.transaction import CLI_INGEST, writing

Progress = Callable[[int, int], None]
ModelT = TypeVar("ModelT", bound=BaseModel)


# `sectorfacts ingest` refuses a file as the seed loader does, with the same message.
class IngestError(SeedError):
    """The file was refused whole; `problems` lists every problem, each naming where it is."""


@dataclass
class IngestReport:
    """What an ingest added."""

    documents: list[str] = field(default_factory=list)
    claims: int = 0
    notes: int = 0
    relations: int = 0
    themes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = f"claims {self.claims}, context notes {self.notes}"
        if self.relations:
            counts += f", relations {self.relations}"
        made = f"new themes {len(self.themes)}, new entities {len(self.entities)}"
        documents = ", ".join(map(repr, self.documents))
        return f"ingested {documents}: {counts}, {made}; each recorded as a change by {CLI_INGEST.key_name}"


def _build(model: type[ModelT], values: dict[str, Any], label: str, problems: list[str]) -> ModelT | None:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            problems.append(f"{label}: {where}: {item['msg']}")
        return None


def _existing(connection: Connection, column: Any, values: list[str]) -> set[str]:
    return set(connection.execute(select(column).where(column.in_(values))).scalars())


class _Run:
    """One ingest inside one transaction: counts progress and collects problems instead of stopping."""

    def __init__(self, connection: Connection, data: SeedData, progress: Progress | None) -> None:
        self.connection = connection
        self.data = data
        self.progress = progress
        self.problems: list[str] = []
        self.report = IngestReport()
        self.done = 0
        self.total = 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def attempt(self, label: str, write: Callable[..., object], *args: Any) -> bool:
        try:
            write(self.connection, CLI_INGEST, *args)
        except ProblemError as error:
            self.problems.append(f"{label}: {error}")
            return False
        finally:
            self.step()
        return True

    def check_new(self) -> tuple[list[int], list[int]]:
        """Refuse documents and claim ids the database has; return the indexes of new themes and entities."""
        annotations = self.data.annotations
        taken = _existing(self.connection, DOCUMENT.c.id, [d.id for d in annotations.documents])
        for index, document in enumerate(annotations.documents):
            if document.id in taken:
                self.problems.append(
                    f"documents[{index}] (document {document.id!r}): already in the database; ingest adds "
                    "new documents only (PATCH /v1/documents/{id} corrects one)"
                )
        for index, claim in enumerate(annotations.claims):
            exists = current_claim(self.connection, claim.id) is not None
            if exists or ever_recorded(self.connection, "claim", claim.id):
                self.problems.append(
                    f"claims[{index}] (claim {claim.id!r}): the id is taken by a claim in the database "
                    "(or a deleted one)"
                )
        themes = _existing(self.connection, THEME.c.slug, [t.slug for t in annotations.themes])
        entities = _existing(self.connection, ENTITY.c.slug, [e.slug for e in annotations.entities])
        self._note_differences(themes, entities)
        new_themes = [i for i, t in enumerate(annotations.themes) if t.slug not in themes]
        new_entities = [i for i, e in enumerate(annotations.entities) if e.slug not in entities]
        return new_themes, new_entities

    def _note_differences(self, themes: set[str], entities: set[str]) -> None:
        """Existing themes and entities are used as the database has them; say where the file differs."""
        for theme in self.data.annotations.themes:
            kept = current_theme(self.connection, theme.slug) if theme.slug in themes else None
            if kept is not None:
                self._differs("theme", theme.slug, theme.model_dump(), kept.public.model_dump())
        ids = dict(
            self.connection.execute(
                select(ENTITY.c.slug, ENTITY.c.id).where(ENTITY.c.slug.in_(entities))
            ).all()
        )
        for entity in self.data.annotations.entities:
            found = current_entity(self.connection, ids[entity.slug]) if entity.slug in ids else None
            if found is not None:
                self._differs("entity", entity.slug, entity.model_dump(), found.public.model_dump())

    def _differs(self, kind: str, slug: str, given: dict[str, Any], stored: dict[str, Any]) -> None:
        fields = [name for name, value in given.items() if name in stored and stored[name] != value]
        if fields:
            self.report.kept.append(
                f"{kind} {slug!r} is in the database with another {', '.join(fields)}: kept as it is there "
                f"(PATCH /v1/{ {'theme': 'themes', 'entity': 'entities'}[kind] }/{slug} changes it)"
            )

    def vocabulary(self, new_themes: list[int], new_entities: list[int]) -> None:
        annotations = self.data.annotations
        themes = [(index, annotations.themes[index]) for index in new_themes]
        self._create_each(
            "themes[{}] (theme {!r})", themes, ThemeCreate, create_theme.within, self.report.themes
        )
        entities = [(index, annotations.entities[index]) for index in new_entities]
        self._create_each(
            "entities[{}] (entity {!r})", entities, EntityCreate, create_entity.within, self.report.entities
        )

    def _create_each(
        self,
        label: str,
        items: list[tuple[int, Any]],
        model: type[BaseModel],
        create: Callable[..., object],
        made: list[str],
    ) -> None:
        """Create each of the file's new themes (or entities), adding the slug of each made to `made`."""
        for index, item in items:
            where = label.format(index, item.slug)
            body = _build(model, item.model_dump(), where, self.problems)
            if body is not None and self.attempt(where, create, body):
                made.append(item.slug)

    def content(self) -> None:
        annotations = self.data.annotations
        for index, document in enumerate(annotations.documents):
            label = f"documents[{index}] (document {document.id!r})"
            # A cited document has no text (None): it is created cited.
            values = document.model_dump(exclude={"text_file", "sha256"}) | {
                "text": self.data.texts.get(document.id)
            }
            document_body = _build(DocumentCreate, values, label, self.problems)
            if document_body is not None and self.attempt(label, create_document.within, document_body):
                self.report.documents.append(document.id)
        # No document changes from here on: each is read once for all its claims.
        documents = ClaimDocuments()
        for index, claim in enumerate(annotations.claims):
            label = f"claims[{index}] (claim {claim.id!r})"
            claim_values = claim.model_dump(mode="json", exclude={"id", "context"})
            claim_body = _build(ClaimCreate, claim_values, label, self.problems)
            if claim_body is None or not self.attempt(
                label, create_claim.within, claim_body, claim.id, documents
            ):
                continue
            self.report.claims += 1
            for position, note in enumerate(claim.context):
                note_label = f"{label}.context[{position}]"
                note_body = _build(NoteCreate, note.model_dump(mode="json"), note_label, self.problems)
                if note_body is not None and self.attempt(
                    note_label, create_note.within, claim.id, note_body
                ):
                    self.report.notes += 1
        for index, relation in enumerate(annotations.relations):
            label = f"relations[{index}] ({relation.subject} {relation.type} {relation.object})"
            values = {
                "subject_id": relation.subject,
                "type": relation.type,
                "object_id": relation.object,
                "note": relation.note,
            }
            relation_body = _build(RelationCreate, values, label, self.problems)
            if relation_body is not None and self.attempt(label, create_relation.within, relation_body):
                self.report.relations += 1


def ingest(database: Database, path: Path, *, progress: Progress | None = None) -> IngestReport:
    """Validate and load an annotation file of new documents in one transaction; raises IngestError."""
    try:
        data = read_annotations(path)
    except SeedError as error:
        raise IngestError(path, error.problems) from error
    with writing(database) as connection:
        run = _Run(connection, data, progress)
        new_themes, new_entities = run.check_new()
        annotations = data.annotations
        after = sum(len(claim.context) for claim in annotations.claims) + len(annotations.relations)
        run.total = (
            len(new_themes) + len(new_entities) + len(annotations.documents) + len(annotations.claims) + after
        )
        # New themes and entities can be checked whatever else is wrong; claims only once they exist.
        run.vocabulary(new_themes, new_entities)
        if not run.problems:
            run.content()
        if run.problems:
            # Raising inside the block rolls the whole transaction back: nothing of the file is kept.
            raise IngestError(path, run.problems)
        return run.report
