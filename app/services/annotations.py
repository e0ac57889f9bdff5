"""Reads and validates an annotation file (the seed format), listing every problem with its place.

The seed loader, `sectorfacts ingest` and the drafting tool all read annotation files through it."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.schemas.annotations import AnnotationFile
from app.services.claim_measures import quantity_problems
from app.services.keys import lookup_key


class SeedError(Exception):
    """An annotation file was refused; `problems` lists every problem found, each naming its place."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: refused, {len(problems)} problem(s), nothing loaded:\n{listing}")


@dataclass(frozen=True)
class SeedData:
    """A validated annotation file with the text of each of its documents."""

    annotations: AnnotationFile
    texts: dict[str, str] = field(default_factory=dict)


def read_annotations(path: Path) -> SeedData:
    """Parse and validate an annotation file; raises SeedError listing every problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SeedError(path, [f"cannot read the file: {error}"]) from error
    try:
        annotations = AnnotationFile.model_validate(raw)
    except ValidationError as error:
        raise SeedError(path, [_describe(error_item, raw) for error_item in error.errors()]) from error
    texts, problems = _read_texts(path.parent, annotations)
    problems += _cross_check(annotations, texts)
    if problems:
        raise SeedError(path, problems)
    return SeedData(annotations=annotations, texts=texts)


def _describe(error: Any, raw: Any) -> str:
    location = list(error["loc"])
    where = ""
    for index, part in enumerate(location):
        if isinstance(part, int):
            where += f"[{part}]"
            if index == 1:
                where += _item_label(raw, str(location[0]), part)
        else:
            where += f".{part}" if where else str(part)
    return f"{where or 'file'}: {error['msg']}"


_LABELS = {
    "claims": ("claim", "id"),
    "documents": ("document", "id"),
    "themes": ("theme", "slug"),
    "entities": ("entity", "slug"),
    "relations": ("relation", "subject"),
}


def _item_label(raw: Any, section: str, index: int) -> str:
    """' (entity 'Daraz PK')': names the item a problem is in, by its id, slug or name."""
    kind, key = _LABELS.get(section, (section.rstrip("s"), "slug"))
    try:
        item = raw[section][index]
        name = item.get(key) or item.get("name")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return f" ({kind} {name!r})" if name else ""


def _read_texts(folder: Path, annotations: AnnotationFile) -> tuple[dict[str, str], list[str]]:
    texts: dict[str, str] = {}
    problems: list[str] = []
    for document in annotations.documents:
        if document.text_file is None:
            continue  # cited: we hold no text
        file = folder / document.text_file
        try:
            data = file.read_bytes()
        except OSError as error:
            problems.append(
                f"document {document.id!r}: cannot read text_file {document.text_file!r}: {error}"
            )
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != document.sha256:
            problems.append(
                f"document {document.id!r}: sha256 of {document.text_file!r} is {digest}, "
                f"not {document.sha256}"
            )
            continue
        texts[document.id] = data.decode("utf-8")
    return texts, problems


def _duplicates(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


def _cross_check(annotations: AnnotationFile, texts: dict[str, str]) -> list[str]:
    problems = [
        f"duplicate {kind} {value!r}"
        for kind, values in (
            ("document id", [d.id for d in annotations.documents]),
            ("theme slug", [t.slug for t in annotations.themes]),
            ("entity slug", [e.slug for e in annotations.entities]),
            ("claim id", [c.id for c in annotations.claims]),
        )
        for value in _duplicates(values)
    ]
    problems += _check_names(annotations)
    documents = {d.id: d for d in annotations.documents}
    themes = {t.slug for t in annotations.themes}
    entities = {e.slug for e in annotations.entities}
    for claim in annotations.claims:
        label = f"claim {claim.id!r}"
        document = documents.get(claim.document)
        if document is None:
            problems.append(f"{label}: unknown document {claim.document!r}")
        elif not document.held:
            given = [name for name in ("quote", "span") if getattr(claim, name) is not None]
            if given:
                problems.append(
                    f"{label}: document {claim.document!r} is cited (no text held), so its claims are "
                    f"paraphrases: remove {' and '.join(given)}"
                )
        elif claim.quote is None or claim.span is None:
            missing = [name for name in ("quote", "span") if getattr(claim, name) is None]
            problems.append(
                f"{label}: document {claim.document!r} is held, so its claims quote it: "
                f"give {' and '.join(missing)}"
            )
        elif claim.document in texts:
            problems += _check_span(
                label, claim.quote, claim.span.start, claim.span.end, texts[claim.document]
            )
        within = claim.quote if claim.quote is not None else claim.statement
        problems += [
            f"{label}: {where}: {what}"
            for where, what in quantity_problems(claim.quantities, within, "quantities")
        ]
        problems += [f"{label}: unknown theme {slug!r}" for slug in claim.themes if slug not in themes]
        problems += [f"{label}: unknown entity {slug!r}" for slug in claim.entities if slug not in entities]
        problems += [f"{label}: theme {slug!r} listed twice" for slug in _duplicates(claim.themes)]
        problems += [f"{label}: entity {slug!r} listed twice" for slug in _duplicates(claim.entities)]
    problems += _check_relations(annotations)
    problems += _check_format(annotations)
    return problems


def _check_relations(annotations: AnnotationFile) -> list[str]:
    """Both claims exist, a claim does not relate to itself, and each (subject, type, object) is listed
    once (a `same-as` once, whichever way round)."""
    claims = {c.id for c in annotations.claims}
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for index, relation in enumerate(annotations.relations):
        label = f"relations[{index}] ({relation.subject} {relation.type} {relation.object})"
        for role in ("subject", "object"):
            if (claim_id := getattr(relation, role)) not in claims:
                problems.append(f"{label}: unknown claim {claim_id!r} as its {role}")
        if relation.subject == relation.object:
            problems.append(f"{label}: a claim cannot relate to itself")
        triple = (relation.subject, relation.type, relation.object)
        mirrored = (relation.object, relation.type, relation.subject)
        if triple in seen:
            problems.append(f"{label}: listed twice")
        elif relation.type == "same-as" and mirrored in seen:
            problems.append(f"{label}: same-as is listed once; the other way round is already there")
        seen.add(triple)
    return problems


def _check_format(annotations: AnnotationFile) -> list[str]:
    """A /1 file uses none of /2's additions."""
    if annotations.format != "sectorfacts-annotations/1":
        return []
    uses = [
        *(f"cited document {d.id!r}" for d in annotations.documents if not d.held),
        *(f"claim {c.id!r} without a quote" for c in annotations.claims if c.quote is None),
        *(["relations"] if annotations.relations else []),
    ]
    if not uses:
        return []
    return [f"format sectorfacts-annotations/1 has no {', '.join(uses)}: declare sectorfacts-annotations/2"]


def _check_span(label: str, quote: str, start: int, end: int, text: str) -> list[str]:
    if end <= start or end > len(text):
        return [f"{label}: span {start}..{end} is outside the document (length {len(text)})"]
    found = text[start:end]
    if found == quote:
        return []
    hint = ""
    if (at := text.find(quote)) >= 0:
        hint = f"; the quote occurs at {at}..{at + len(quote)}"
    return [f"{label}: quote does not match the document text at span {start}..{end} (found {found!r}){hint}"]


def _check_names(annotations: AnnotationFile) -> list[str]:
    """Every slug, name and alias must resolve to exactly one entity, case-insensitively."""
    owner: dict[str, str] = {}
    problems: list[str] = []
    for entity in annotations.entities:
        names = [("slug", entity.slug), ("name", entity.name)] + [("alias", a) for a in entity.aliases]
        seen_here: set[str] = set()
        for kind, name in names:
            key = lookup_key(name)
            if key in seen_here:
                if kind == "alias":
                    problems.append(f"entity {entity.slug!r}: alias {name!r} repeats one of its own names")
                continue
            seen_here.add(key)
            if key in owner and owner[key] != entity.slug:
                problems.append(
                    f"entity {entity.slug!r}: {kind} {name!r} is already a name of {owner[key]!r}"
                )
            owner.setdefault(key, entity.slug)
    return problems
