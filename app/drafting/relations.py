"""Relations between claims that their spans prove: `part-of` (one quote lies inside another) and `same-as`
(two claims quote the same span), in the `relations` format of the annotation file, and how proposed
relations score against hand-made ones.

Only spans are used. Duplicates that quote different words (a claim restated later in the article) and
repeated sentences (the same words at another place, where "it" may refer to something else) are left to
the curator: nothing in the offsets proves them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.services.annotations import SeedError

GROUNDED_TYPES = ("same-as", "part-of")


@dataclass(frozen=True)
class SpannedClaim:
    """What the proposer needs of a claim: its id, document and quoted span (code points, end exclusive)."""

    id: str
    document: str
    start: int
    end: int


@dataclass(frozen=True)
class Relation:
    """ "subject <type> object", with the curator note saying how it was grounded."""

    subject: str
    type: str
    object: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the relation; `same-as` is symmetric, so its two claims are put in order."""
        if self.type == "same-as":
            first, second = sorted((self.subject, self.object))
            return (first, self.type, second)
        return (self.subject, self.type, self.object)

    def plain(self) -> dict[str, str]:
        """The relation as an entry of the annotation file's `relations` list."""
        return {"subject": self.subject, "type": self.type, "object": self.object, "note": self.note}


def _range(claim: SpannedClaim) -> str:
    return f"{claim.start}\u2013{claim.end}"


def propose_relations(claims: Sequence[SpannedClaim]) -> list[Relation]:
    """Every `same-as` (equal spans) and `part-of` (a span strictly inside another) among claims of one
    document; the later claim of an equal pair is the subject (the format stores a duplicate once)."""
    proposed: list[Relation] = []
    for index, claim in enumerate(claims):
        for other_index, other in enumerate(claims):
            if other_index == index or other.document != claim.document:
                continue
            if (claim.start, claim.end) == (other.start, other.end):
                if index > other_index:
                    note = f"span {_range(claim)} is the span of {other.id}"
                    proposed.append(Relation(claim.id, "same-as", other.id, note))
            elif other.start <= claim.start and claim.end <= other.end:
                note = f"span {_range(claim)} lies within {_range(other)}"
                proposed.append(Relation(claim.id, "part-of", other.id, note))
    return proposed


@dataclass(frozen=True)
class GoldFile:
    """What an annotation file holds for relation scoring: its claims with spans, and its relations
    (None when the file has no `relations` list: no gold, which is not the same as no relations)."""

    claims: list[SpannedClaim]
    relations: list[Relation] | None
    texts: dict[str, str]


def read_gold(path: Path) -> GoldFile:
    """The claims with spans, the relations and the document texts of an annotation file of either format
    version, read without the full validation (so files with relations or cited documents are read too)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SeedError(path, [f"cannot read the file: {error}"]) from error
    if not isinstance(raw, dict):
        raise SeedError(path, ["not a mapping of documents, claims and relations"])
    problems: list[str] = []
    texts: dict[str, str] = {}
    for index, document in enumerate(_items(raw, "documents", problems)):
        name = document.get("text_file")
        if name is None:
            continue  # a cited document: we hold no text, its claims have no span
        try:
            texts[str(document["id"])] = (path.parent / str(name)).read_text(encoding="utf-8")
        except (KeyError, OSError, UnicodeDecodeError) as error:
            problems.append(f"documents[{index}]: cannot read its text: {error}")
    claims: list[SpannedClaim] = []
    for index, claim in enumerate(_items(raw, "claims", problems)):
        span = claim.get("span")
        if span is None:
            continue
        try:
            spanned = SpannedClaim(
                str(claim["id"]), str(claim["document"]), int(span["start"]), int(span["end"])
            )
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"claims[{index}]: no id, document or span start/end: {error!r}")
            continue
        text = texts.get(spanned.document)
        if text is not None and text[spanned.start : spanned.end] != claim.get("quote"):
            problems.append(f"claim {spanned.id!r}: quote does not match the text at {_range(spanned)}")
        claims.append(spanned)
    relations: list[Relation] | None = None
    if "relations" in raw:
        relations = []
        for index, item in enumerate(_items(raw, "relations", problems)):
            try:
                relations.append(
                    Relation(str(item["subject"]), str(item["type"]), str(item["object"]), str(item["note"]))
                )
            except KeyError as error:
                problems.append(f"relations[{index}]: missing {error}")
    if problems:
        raise SeedError(path, problems)
    return GoldFile(claims, relations, texts)


def _items(raw: dict[str, Any], section: str, problems: list[str]) -> list[dict[str, Any]]:
    items = raw.get(section) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.append(f"{section}: not a list of mappings")
        return []
    return items


@dataclass(frozen=True)
class RelationScore:
    """Proposed relations of one type set against gold ones: hits, and what was wrong or missed."""

    proposed: int
    gold: int
    hits: int
    false_positives: tuple[Relation, ...]
    misses: tuple[Relation, ...]


def score_relations(
    proposed: Iterable[Relation], gold: Iterable[Relation], types: Iterable[str] = GROUNDED_TYPES
) -> RelationScore:
    """Match proposed against gold relations of `types` by (subject, type, object), `same-as` either way."""
    wanted = set(types)
    mine = {r.key: r for r in proposed if r.type in wanted}
    theirs = {r.key: r for r in gold if r.type in wanted}
    return RelationScore(
        proposed=len(mine),
        gold=len(theirs),
        hits=len(mine.keys() & theirs.keys()),
        false_positives=tuple(r for key, r in mine.items() if key not in theirs),
        misses=tuple(r for key, r in theirs.items() if key not in mine),
    )
