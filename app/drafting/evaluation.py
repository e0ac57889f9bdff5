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

Quantities and dates (`evaluate_numbers`): the extractors run on each sentence of a hand-labelled file
(tests/drafting/fixtures/quantities-dates.yaml). A found quantity or date *matches* a labelled one whose
span it overlaps (one to one); precision is matched/found and recall matched/labelled. Of the matched
pairs, the amount, unit, span and every field (amount, unit, scale, period, bounds, approximate, span) are
compared exactly; the *strict* precision and recall count only pairs exact in every field. Validity is
right when the proposal equals the label, "none" included.

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

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.drafting.dates import find_dates, propose_validity
from app.drafting.draft import Draft, draft_text
from app.drafting.known import Example, Known, known_from_seed
from app.drafting.quantities import Quantity, find_quantities
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
    quantities: int  # proposed over all claims
    dates: int
    validities: int
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
            f"{'quantities, dates, validities proposed':<44} "
            f"{f'{self.quantities}, {self.dates}, {self.validities}':>22}",
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
        quantities=sum(len(c.quantities) for c in draft.claims),
        dates=sum(len(c.dates) for c in draft.claims),
        validities=sum(1 for c in draft.claims if c.validity is not None),
        baseline_theme_precision=Ratio(counts["baseline_theme_tp"], scored),
        baseline_theme_recall=Ratio(counts["baseline_theme_tp"], counts["theme_gold"]),
        baseline_kind_strict=Ratio(counts["baseline_kind"], scored),
        relations=relations,
    )


# ---- quantities and dates on a labelled file ------------------------------------------------------


class _Labelled(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelledQuantity(_Labelled):
    """A quantity as a curator labels it (docs/drafting.md, "Quantities and dates")."""

    stated: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)  # needed only when `stated` occurs twice
    amount: float
    unit: str | None = None
    scale: Literal["thousand", "million", "billion"] | None = None
    period: Literal["year", "month", "day"] | None = None
    lower: float | None = None
    upper: float | None = None
    approximate: bool = False


class LabelledDate(_Labelled):
    """A stated date: a partial ISO date, or an interval "A/B"."""

    stated: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    value: str = Field(pattern=r"^\d{4}(-\d\d){0,2}(/\d{4}(-\d\d){0,2})?$")


class LabelledValidity(_Labelled):
    """When the labelled sentence's claim holds."""

    valid_from: str | None
    valid_to: str | None


class LabelledSentence(_Labelled):
    """One sentence with everything it states."""

    source: Literal["article", "second-article", "written"]
    text: str = Field(min_length=1, max_length=2000)
    quantities: list[LabelledQuantity] = Field(default_factory=list)
    dates: list[LabelledDate] = Field(default_factory=list)
    validity: LabelledValidity | None = None


class LabelledFile(_Labelled):
    """A file of labelled sentences."""

    sentences: list[LabelledSentence] = Field(min_length=1, max_length=10_000)


def read_labelled(path: Path) -> LabelledFile:
    """The labelled sentences of `path`; ValueError says what is wrong with the file."""
    try:
        data = LabelledFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise ValueError(f"{path}: {error}") from error
    for sentence in data.sentences:
        labels: list[LabelledQuantity | LabelledDate] = [*sentence.quantities, *sentence.dates]
        for label in labels:
            _label_start(sentence.text, label)  # raises for a label the text does not hold exactly once
    return data


def _label_start(text: str, label: LabelledQuantity | LabelledDate) -> int:
    if label.start is not None:
        if text[label.start : label.start + len(label.stated)] != label.stated:
            raise ValueError(f"{label.stated!r} is not at {label.start} of {text!r}")
        return label.start
    if text.count(label.stated) != 1:
        raise ValueError(f"{label.stated!r} is not once in {text!r}: give its start")
    return text.index(label.stated)


@dataclass(frozen=True)
class NumberEvaluation:
    """The quantity, date and validity figures on a labelled file, with the errors behind them."""

    path: str
    sentences: int
    quantity_precision: Ratio
    quantity_recall: Ratio
    quantity_amount: Ratio  # of matched pairs
    quantity_unit: Ratio
    quantity_span: Ratio
    quantity_exact: Ratio
    quantity_strict_precision: Ratio
    quantity_strict_recall: Ratio
    date_precision: Ratio
    date_recall: Ratio
    date_value: Ratio
    date_span: Ratio
    date_strict_precision: Ratio
    date_strict_recall: Ratio
    validity_accuracy: Ratio
    validity_precision: Ratio
    validity_recall: Ratio
    errors: list[str]

    def table(self) -> str:
        """The figures as a plain-text table, then one line per error."""
        rows = [
            (f"quantities and dates in {self.path}: {self.sentences} labelled sentences"),
            f"{'measure':<44} {'value':>22}",
        ]
        for name, ratio in [
            ("quantity precision (overlaps a label)", self.quantity_precision),
            ("quantity recall", self.quantity_recall),
            ("quantity amount exact (of matched)", self.quantity_amount),
            ("quantity unit exact (of matched)", self.quantity_unit),
            ("quantity span exact (of matched)", self.quantity_span),
            ("quantity every field exact (of matched)", self.quantity_exact),
            ("quantity strict precision (every field)", self.quantity_strict_precision),
            ("quantity strict recall (every field)", self.quantity_strict_recall),
            ("date precision (overlaps a label)", self.date_precision),
            ("date recall", self.date_recall),
            ("date value exact (of matched)", self.date_value),
            ("date span exact (of matched)", self.date_span),
            ("date strict precision (value and span)", self.date_strict_precision),
            ("date strict recall (value and span)", self.date_strict_recall),
            ("validity accuracy (of sentences)", self.validity_accuracy),
            ("validity precision (of proposals)", self.validity_precision),
            ("validity recall (of labelled validities)", self.validity_recall),
        ]:
            rows.append(f"{name:<44} {ratio.defined():>22}")
        rows += [f"error: {e}" for e in self.errors]
        return "\n".join(rows)


def _pairs(
    found: list[tuple[int, int]], labelled: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one pairs (found index, label index) of overlapping spans, and the unpaired of each side."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for j, (a, b) in enumerate(labelled):
        i = next((i for i, (c, d) in enumerate(found) if i not in used and c < b and a < d), None)
        if i is not None:
            used.add(i)
            pairs.append((i, j))
    paired = {j for _, j in pairs}
    return (
        pairs,
        [i for i in range(len(found)) if i not in used],
        [j for j in range(len(labelled)) if j not in paired],
    )


def _quantity_fields(q: Quantity | LabelledQuantity, start: int) -> tuple[object, ...]:
    return (
        q.amount,
        q.unit,
        q.scale,
        q.period,
        q.lower,
        q.upper,
        q.approximate,
        start,
        start + len(q.stated),
    )


def evaluate_numbers(path: Path) -> NumberEvaluation:
    """Score the quantity and date extractors and the validity proposal on the labelled file `path`."""
    data = read_labelled(path)
    counts: Counter[str] = Counter()
    errors: list[str] = []
    for sentence in data.sentences:
        text = sentence.text
        quantities = find_quantities(text)
        gold_q = [(label, _label_start(text, label)) for label in sentence.quantities]
        pairs, spurious, missed = _pairs(
            [(q.start, q.end) for q in quantities], [(s, s + len(g.stated)) for g, s in gold_q]
        )
        counts["q_found"] += len(quantities)
        counts["q_gold"] += len(gold_q)
        counts["q_matched"] += len(pairs)
        for i, j in pairs:
            found, (gold, start) = quantities[i], gold_q[j]
            counts["q_amount"] += int(found.amount == gold.amount)
            counts["q_unit"] += int(found.unit == gold.unit)
            counts["q_span"] += int((found.start, found.stated) == (start, gold.stated))
            exact = _quantity_fields(found, found.start) == _quantity_fields(gold, start)
            counts["q_exact"] += int(exact)
            if not exact:
                errors.append(
                    f"quantity {found.stated!r} read as {_quantity_fields(found, found.start)}, "
                    f"labelled {_quantity_fields(gold, start)}"
                )
        errors += [f"quantity {quantities[i].stated!r} found, not labelled, in {text!r}" for i in spurious]
        errors += [f"quantity {gold_q[j][0].stated!r} missed in {text!r}" for j in missed]

        dates = find_dates(text, skip=[(q.start, q.end) for q in quantities])
        gold_d = [(label, _label_start(text, label)) for label in sentence.dates]
        pairs, spurious, missed = _pairs(
            [(d.start, d.end) for d in dates], [(s, s + len(g.stated)) for g, s in gold_d]
        )
        counts["d_found"] += len(dates)
        counts["d_gold"] += len(gold_d)
        counts["d_matched"] += len(pairs)
        for i, j in pairs:
            date, (label, start) = dates[i], gold_d[j]
            value_ok, span_ok = date.value == label.value, (date.start, date.stated) == (start, label.stated)
            counts["d_value"] += int(value_ok)
            counts["d_span"] += int(span_ok)
            counts["d_exact"] += int(value_ok and span_ok)
            if not (value_ok and span_ok):
                errors.append(
                    f"date {date.stated!r} read as {date.value}, labelled {label.stated!r} {label.value}"
                )
        errors += [f"date {dates[i].stated!r} found, not labelled, in {text!r}" for i in spurious]
        errors += [f"date {gold_d[j][0].stated!r} missed in {text!r}" for j in missed]

        validity = propose_validity(dates)
        proposed = validity.plain() if validity else None
        labelled = sentence.validity.model_dump() if sentence.validity else None
        counts["v_right"] += int(proposed == labelled)
        counts["v_proposed"] += int(proposed is not None)
        counts["v_gold"] += int(labelled is not None)
        counts["v_hits"] += int(proposed is not None and proposed == labelled)
        if proposed != labelled:
            errors.append(f"validity {proposed} proposed, labelled {labelled}, in {text!r}")
    return NumberEvaluation(
        path=str(path),
        sentences=len(data.sentences),
        quantity_precision=Ratio(counts["q_matched"], counts["q_found"]),
        quantity_recall=Ratio(counts["q_matched"], counts["q_gold"]),
        quantity_amount=Ratio(counts["q_amount"], counts["q_matched"]),
        quantity_unit=Ratio(counts["q_unit"], counts["q_matched"]),
        quantity_span=Ratio(counts["q_span"], counts["q_matched"]),
        quantity_exact=Ratio(counts["q_exact"], counts["q_matched"]),
        quantity_strict_precision=Ratio(counts["q_exact"], counts["q_found"]),
        quantity_strict_recall=Ratio(counts["q_exact"], counts["q_gold"]),
        date_precision=Ratio(counts["d_matched"], counts["d_found"]),
        date_recall=Ratio(counts["d_matched"], counts["d_gold"]),
        date_value=Ratio(counts["d_value"], counts["d_matched"]),
        date_span=Ratio(counts["d_span"], counts["d_matched"]),
        date_strict_precision=Ratio(counts["d_exact"], counts["d_found"]),
        date_strict_recall=Ratio(counts["d_exact"], counts["d_gold"]),
        validity_accuracy=Ratio(counts["v_right"], len(data.sentences)),
        validity_precision=Ratio(counts["v_hits"], counts["v_proposed"]),
        validity_recall=Ratio(counts["v_hits"], counts["v_gold"]),
        errors=errors,
    )
