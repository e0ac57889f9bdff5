"""Precision and recall of the drafter against hand annotations (the seed article's), held out honestly.

The drafter runs on an annotated article with the annotation file's own themes and entities, but the theme
vocabulary for each sentence is learnt WITHOUT the claims that quote it:

  - holdout "section" (the default): without every claim quoting any sentence of the same section (the
    text between two headings): 7-fold cross-validation on the seed article, the closest one article allows
    to drafting an unseen one;
  - holdout "sentence": without the claims quoting that sentence (leave-one-sentence-out);
  - holdout "none": from every claim, the sentence's own included (in-sample: shows what leaking does).

Each draft claim (one body sentence) is compared with the hand claims that overlap it:
  spans    - a hand claim is *contained* when one proposed sentence contains its whole span, *covered* when
             proposed sentences cover its every non-space character; a proposed claim is *relevant* when it
             overlaps some hand claim;
  entities - proposed slugs against the union of the entities of the overlapping hand claims (micro P/R);
  themes   - likewise with theme slugs;
  kinds    - the proposed kind against that of the overlapping hand claim sharing most characters (strict),
             or against any overlapping hand claim's kind (lenient).
Baselines for scale: every sentence gets the most frequent theme of the training claims, and kind "fact".

Relations: the `same-as` and `part-of` relations the spans prove are proposed twice, and each set is scored
against the file's own `relations` of those two types among the document's claims (precision: proposed that
are listed; recall: listed that are proposed; `same-as` matches either way round):
  - over the hand claims, so the proposer is measured on its own, without drafting errors;
  - over the drafted claims, a draft claim standing for the hand claims with exactly its span.
A file without a `relations` list has no gold: the report says so instead of scoring zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.drafting.draft import Draft, draft_text
from app.drafting.known import Example, Known, known_from_seed
from app.drafting.relations import (
    GROUNDED_TYPES,
    Relation,
    RelationScore,
    SpannedClaim,
    propose_relations,
    read_gold,
    score_relations,
)
from app.drafting.sentences import Sentence, split_sentences
from app.drafting.themes import ThemeModel
from app.schemas.annotations import ClaimIn, ThemeIn
from app.services.annotations import SeedError, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS

Holdout = Literal["section", "sentence", "none"]


@dataclass(frozen=True)
class Ratio:
    """hits out of total."""

    hits: int
    total: int

    @property
    def value(self) -> float:
        """hits / total (0 when there is nothing to count)."""
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:6.1%} ({self.hits}/{self.total})"

    def defined(self) -> str:
        """Like str(), but "n/a" when there is nothing to count (a precision of no proposals is not 0)."""
        return str(self) if self.total else f"{'n/a':>6} (0/0)"


@dataclass(frozen=True)
class RelationRun:
    """Relations proposed over one set of claims, scored in all and per type."""

    claims: str  # which claims the proposer ran over
    scores: dict[str, RelationScore]  # "all" and each grounded type

    def precision(self, which: str = "all") -> Ratio:
        """Proposed relations (of `which` type, or all) that the file lists."""
        score = self.scores[which]
        return Ratio(score.hits, score.proposed)

    def recall(self, which: str = "all") -> Ratio:
        """Listed relations (of `which` type, or all) that were proposed."""
        score = self.scores[which]
        return Ratio(score.hits, score.gold)


@dataclass(frozen=True)
class RelationEvaluation:
    """Relation proposals over the hand claims and over the drafted claims, against the file's relations."""

    document: str
    gold: int | None  # listed same-as/part-of relations among the document's claims; None: no `relations`
    outside: int  # listed same-as/part-of relations naming a claim without a span in this document
    hand: RelationRun
    drafted: RelationRun

    def rows(self) -> list[str]:
        """The relation lines of the evaluation table."""
        types = " and ".join(GROUNDED_TYPES)
        if self.gold is None:
            counts = ", ".join(
                f"{r.scores['all'].proposed} over the {r.claims}" for r in (self.hand, self.drafted)
            )
            return [
                f"relations ({types}) in {self.document}: no gold, the file has no `relations` list",
                f"relations proposed (nothing to score them against): {counts}",
            ]
        rows = [
            f"relations ({types}) in {self.document}: {self.gold} listed among the document's claims"
            + (f", {self.outside} more not scored (a claim without a span here)" if self.outside else "")
        ]
        for run in (self.hand, self.drafted):
            for which in ("all", *GROUNDED_TYPES):
                name = "relation" if which == "all" else f"  {which}"
                rows.append(f"{f'{name} precision ({run.claims})':<44} {run.precision(which).defined():>22}")
                rows.append(f"{f'{name} recall ({run.claims})':<44} {run.recall(which).defined():>22}")
        # Which ones, so a figure can be read against the file (few: one line each).
        score = self.hand.scores["all"]
        for label, relations in (("not listed", score.false_positives), ("not proposed", score.misses)):
            if relations:
                listing = ", ".join(f"{r.subject} {r.type} {r.object}" for r in relations)
                rows.append(f"{label} (hand claims): {listing}")
        return rows


@dataclass(frozen=True)
class Evaluation:
    """The measured figures of one run."""

    document: str
    holdout: Holdout
    descriptions: bool
    draft_claims: int
    hand_claims: int
    spans_contained: Ratio
    spans_covered: Ratio
    claims_relevant: Ratio
    entity_precision: Ratio
    entity_recall: Ratio
    theme_precision: Ratio
    theme_recall: Ratio
    kind_strict: Ratio
    kind_lenient: Ratio
    new_entities: int
    baseline_theme_precision: Ratio
    baseline_theme_recall: Ratio
    baseline_kind_strict: Ratio
    relations: RelationEvaluation

    @staticmethod
    def f1(precision: Ratio, recall: Ratio) -> float:
        """Harmonic mean of two ratios."""
        p, r = precision.value, recall.value
        return 2 * p * r / (p + r) if p + r else 0.0

    def table(self) -> str:
        """The figures as a plain-text table."""
        source = "theme names+descriptions" if self.descriptions else "theme names only"
        rows = [
            f"document {self.document}: {self.draft_claims} proposed claims, {self.hand_claims} hand claims;"
            f" theme vocabulary held out by {self.holdout}, plus {source}",
            f"{'measure':<44} {'value':>22}",
            f"{'span recall: hand claims inside one sentence':<44} {self.spans_contained!s:>22}",
            f"{'span recall: hand claims fully covered':<44} {self.spans_covered!s:>22}",
            f"{'span precision: proposals on a hand claim':<44} {self.claims_relevant!s:>22}",
            f"{'entity precision':<44} {self.entity_precision!s:>22}",
            f"{'entity recall':<44} {self.entity_recall!s:>22}",
            f"{'entity F1':<44} {f'{self.f1(self.entity_precision, self.entity_recall):.1%}':>22}",
            f"{'theme precision':<44} {self.theme_precision!s:>22}",
            f"{'theme recall':<44} {self.theme_recall!s:>22}",
            f"{'theme F1':<44} {f'{self.f1(self.theme_precision, self.theme_recall):.1%}':>22}",
            f"{'kind accuracy (largest overlapping claim)':<44} {self.kind_strict!s:>22}",
            f"{'kind accuracy (any overlapping claim)':<44} {self.kind_lenient!s:>22}",
            f"{'new entities proposed (none are in the seed)':<44} {self.new_entities:>22}",
            f"{'baseline theme precision (most frequent)':<44} {self.baseline_theme_precision!s:>22}",
            f"{'baseline theme recall (most frequent)':<44} {self.baseline_theme_recall!s:>22}",
            f"{'baseline kind accuracy (always fact)':<44} {self.baseline_kind_strict!s:>22}",
            *self.relations.rows(),
        ]
        return "\n".join(rows)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int, text: str) -> int:
    return sum(1 for i in range(max(a_start, b_start), min(a_end, b_end)) if not text[i].isspace())


def _theme_models(
    known: Known,
    sentences: list[Sentence],
    hand: list[ClaimIn],
    text: str,
    holdout: Holdout,
    themes: list[ThemeIn],
) -> Callable[[Sentence], ThemeModel]:
    """A function giving, for each sentence, a theme model trained without its held-out claims."""
    cache: dict[frozenset[str], ThemeModel] = {}

    def held_out(sentence: Sentence) -> frozenset[str]:
        if holdout == "none":
            return frozenset()
        group = [sentence]
        if holdout == "section":
            group = [s for s in sentences if s.role == "body" and s.section == sentence.section]
        return frozenset(
            c.id for c in hand for s in group if _overlap(c.quoted.start, c.quoted.end, s.start, s.end, text)
        )

    def model_for(sentence: Sentence) -> ThemeModel:
        dropped = held_out(sentence)
        if dropped not in cache:
            cache[dropped] = ThemeModel(themes, known.without(set(dropped)).examples)
        return cache[dropped]

    return model_for


def evaluate(
    path: Path = DEFAULT_ANNOTATIONS,
    *,
    document: str | None = None,
    holdout: Holdout = "section",
    descriptions: bool = True,
) -> tuple[Evaluation, Draft]:
    """Draft an annotated document of `path` (its first, by default) and measure it against its claims."""
    data = read_annotations(path)
    known = known_from_seed(path)
    # Only a held document has a text to draft from.
    target = next(d for d in data.annotations.documents if document in (None, d.id) and d.held)
    text = data.texts[target.id]
    hand = [c for c in data.annotations.claims if c.document == target.id]
    themes = list(known.themes)
    if not descriptions:
        themes = [replace_description(t) for t in themes]
    sentences = split_sentences(text)
    model_for = _theme_models(known, sentences, hand, text, holdout, themes)
    draft = draft_text(
        text,
        Known(themes, known.entities, known.examples, known.documents),
        document_id=target.id,
        text_file=target.text_file or "",
        sha256=target.sha256 or "",
        title=target.title,
        theme_model_for=model_for,
    )
    relations = evaluate_relations(path, document=target.id, draft=draft)
    return _measure(draft, relations, hand, text, target.id, holdout, descriptions, known.examples), draft


def evaluate_relations(
    path: Path = DEFAULT_ANNOTATIONS, *, document: str | None = None, draft: Draft | None = None
) -> RelationEvaluation:
    """Score the relations proposed over a document's hand claims and over its drafted claims (`draft`,
    or one drafted here, without themes or entities: only its spans matter) against the file's relations."""
    gold_file = read_gold(path)
    target = document or next(iter(gold_file.texts), None)
    if target not in gold_file.texts:
        raise SeedError(path, [f"no document {target!r} with a text_file to propose relations in"])
    hand = [c for c in gold_file.claims if c.document == target]
    if draft is None:
        text = gold_file.texts[target]
        draft = draft_text(text, Known([], []), document_id=target, text_file="", sha256="-")
    ids = {c.id for c in hand}
    listed = [r for r in gold_file.relations or [] if r.type in GROUNDED_TYPES]
    inside = [r for r in listed if r.subject in ids and r.object in ids]
    by_span: dict[tuple[int, int], list[str]] = {}
    for claim in hand:
        by_span.setdefault((claim.start, claim.end), []).append(claim.id)
    drafted_claims = [SpannedClaim(c.id, target, c.sentence.start, c.sentence.end) for c in draft.claims]
    spans = {c.id: (c.start, c.end) for c in drafted_claims}
    translated = [
        Relation(subject, r.type, object_, r.note)
        for r in propose_relations(drafted_claims)
        # A draft claim stands for the hand claims with exactly its span; with none, it keeps its own id
        # (and so counts as a false positive).
        for subject in by_span.get(spans[r.subject], [r.subject])
        for object_ in by_span.get(spans[r.object], [r.object])
        if subject != object_
    ]

    def run(claims: str, proposed: list[Relation]) -> RelationRun:
        scores = {"all": score_relations(proposed, inside)}
        scores |= {kind: score_relations(proposed, inside, [kind]) for kind in GROUNDED_TYPES}
        return RelationRun(claims, scores)

    return RelationEvaluation(
        document=target,
        gold=None if gold_file.relations is None else len(inside),
        outside=len(listed) - len(inside),
        hand=run("hand claims", propose_relations(hand)),
        drafted=run("drafted claims", translated),
    )


def replace_description(theme: ThemeIn) -> ThemeIn:
    """The theme with its description reduced to its name (to measure the drafter without descriptions)."""
    return theme.model_copy(update={"description": theme.name})


def _measure(
    draft: Draft,
    relations: RelationEvaluation,
    hand: list[ClaimIn],
    text: str,
    document: str,
    holdout: Holdout,
    descriptions: bool,
    examples: list[Example],
) -> Evaluation:
    spans = [(c.sentence.start, c.sentence.end) for c in draft.claims]
    contained = sum(1 for h in hand if any(s <= h.quoted.start and h.quoted.end <= e for s, e in spans))
    covered = sum(
        1
        for h in hand
        if all(
            any(s <= i < e for s, e in spans)
            for i in range(h.quoted.start, h.quoted.end)
            if not text[i].isspace()
        )
    )
    counts: Counter[str] = Counter()
    majority = Counter(t for e in examples for t in e.themes).most_common(1)[0][0] if examples else ""
    for claim in draft.claims:
        start, end = claim.sentence.start, claim.sentence.end
        overlapping = [(h, _overlap(h.quoted.start, h.quoted.end, start, end, text)) for h in hand]
        overlapping = [(h, size) for h, size in overlapping if size]
        if not overlapping:
            counts["irrelevant"] += 1
            continue
        gold_entities = {slug for h, _ in overlapping for slug in h.entities}
        gold_themes = {slug for h, _ in overlapping for slug in h.themes}
        proposed_entities = set(claim.entities)
        proposed_themes = {t.slug for t in claim.themes}
        counts["entity_tp"] += len(proposed_entities & gold_entities)
        counts["entity_proposed"] += len(proposed_entities)
        counts["entity_gold"] += len(gold_entities)
        counts["theme_tp"] += len(proposed_themes & gold_themes)
        counts["theme_proposed"] += len(proposed_themes)
        counts["theme_gold"] += len(gold_themes)
        counts["baseline_theme_tp"] += int(majority in gold_themes)
        largest = max(overlapping, key=lambda pair: pair[1])[0]
        counts["kind_strict"] += int(claim.kind == largest.kind)
        counts["kind_lenient"] += int(claim.kind in {h.kind for h, _ in overlapping})
        counts["baseline_kind"] += int(largest.kind == "fact")
        counts["scored"] += 1
    scored = counts["scored"]
    return Evaluation(
        document=document,
        holdout=holdout,
        descriptions=descriptions,
        draft_claims=len(draft.claims),
        hand_claims=len(hand),
        spans_contained=Ratio(contained, len(hand)),
        spans_covered=Ratio(covered, len(hand)),
        claims_relevant=Ratio(len(draft.claims) - counts["irrelevant"], len(draft.claims)),
        entity_precision=Ratio(counts["entity_tp"], counts["entity_proposed"]),
        entity_recall=Ratio(counts["entity_tp"], counts["entity_gold"]),
        theme_precision=Ratio(counts["theme_tp"], counts["theme_proposed"]),
        theme_recall=Ratio(counts["theme_tp"], counts["theme_gold"]),
        kind_strict=Ratio(counts["kind_strict"], scored),
        kind_lenient=Ratio(counts["kind_lenient"], scored),
        new_entities=len(draft.new_entities),
        baseline_theme_precision=Ratio(counts["baseline_theme_tp"], scored),
        baseline_theme_recall=Ratio(counts["baseline_theme_tp"], counts["theme_gold"]),
        baseline_kind_strict=Ratio(counts["baseline_kind"], scored),
        relations=relations,
    )
