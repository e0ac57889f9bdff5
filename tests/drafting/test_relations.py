"""Relations the drafter proposes from spans (`part-of`, `same-as`), and how the evaluation scores them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.drafting.draft import draft_text
from app.drafting.evaluation import evaluate, evaluate_relations
from app.drafting.known import Known
from app.drafting.relations import (
    Relation,
    SpannedClaim,
    propose_relations,
    read_gold,
    score_relations,
)
from app.drafting.sentences import Sentence
from app.services.annotations import SeedError
from seed.loader import DEFAULT_ANNOTATIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WITH_GOLD = FIXTURES / "relations.yaml"  # the curator's relations: see the comment at its top
NO_GOLD = FIXTURES / "no-relations.yaml"  # the same claims, no `relations` list


def _keys(relations: list[Relation]) -> set[tuple[str, str, str]]:
    return {(r.subject, r.type, r.object) for r in relations}


# ---- proposing ---------------------------------------------------------------------------------


def test_nested_spans_give_part_of_equal_spans_give_same_as_and_nothing_else_is_proposed() -> None:
    proposed = propose_relations(read_gold(WITH_GOLD).claims)
    assert _keys(proposed) == {
        ("karachi", "part-of", "combined"),
        ("lahore", "part-of", "combined"),
        ("exports-again", "same-as", "exports"),  # the later of the two is the subject
    }
    # "across" overlaps combined, lahore and exports without lying inside any; "investors" and "restated"
    # overlap nothing; the cited claim has no span.
    named = {name for r in proposed for name in (r.subject, r.object)}
    assert not named & {"across", "investors", "restated", "exports-grew-made-up-wire"}
    notes = {r.subject: r.note for r in proposed}
    assert notes["karachi"] == "span 0\u201327 lies within 0\u201363"
    assert notes["exports-again"] == "span 64\u201398 is the span of exports"


def test_claims_of_different_documents_are_never_related_even_with_equal_offsets() -> None:
    claims = [
        SpannedClaim("a", "one", 0, 10),
        SpannedClaim("b", "two", 0, 10),
        SpannedClaim("c", "two", 2, 5),
    ]
    assert _keys(propose_relations(claims)) == {("c", "part-of", "b")}


def test_every_part_of_proposed_on_the_seed_quotes_words_of_the_containing_quote() -> None:
    raw = yaml.safe_load(DEFAULT_ANNOTATIONS.read_text(encoding="utf-8"))
    quotes = {c["id"]: c["quote"] for c in raw["claims"] if "quote" in c}
    claims = read_gold(DEFAULT_ANNOTATIONS).claims
    spans = {c.id: c for c in claims}
    proposed = propose_relations(claims)
    assert proposed  # the seed has combined claims with their split-out parts
    for relation in proposed:
        part, whole = spans[relation.subject], spans[relation.object]
        offset = part.start - whole.start
        # Checked on the quotes as written, not only the offsets the proposer used.
        assert quotes[whole.id][offset : offset + len(quotes[part.id])] == quotes[part.id], relation
        assert relation.type == "part-of" or quotes[part.id] == quotes[whole.id]
    related = {(r.subject, r.object) for r in proposed}
    overlapping = [
        (first.id, second.id)
        for first in claims
        for second in claims
        if first.id != second.id
        and first.document == second.document
        and first.start < second.end
        and second.start < first.end
        and not (second.start <= first.start and first.end <= second.end)
    ]
    assert overlapping  # the seed has quotes that overlap without nesting (e.g. across a clause boundary)
    assert not related & set(overlapping)  # overlapping is not containing


def test_a_draft_of_whole_sentences_has_no_relations_and_says_why() -> None:
    text = (FIXTURES / "relations-article.txt").read_text(encoding="utf-8")
    draft = draft_text(text, Known([], []), document_id="d", text_file="d.txt")
    assert draft.relations == []
    assert "relations" not in draft.plain()  # so the draft stays a valid file of the current format
    assert "# relations: none proposed" in draft.render()
    assert "relations proposed: 0" in draft.summary()


def test_a_draft_with_a_narrowed_claim_writes_its_part_of_and_loads_back_exactly() -> None:
    text = (FIXTURES / "relations-article.txt").read_text(encoding="utf-8")
    draft = draft_text(text, Known([], []), document_id="d", text_file="d.txt")
    first = draft.claims[0]
    part = dataclasses.replace(first, id="draft-900", sentence=Sentence(0, 27, text[0:27]))
    narrowed = dataclasses.replace(draft, claims=[*draft.claims, part])
    expected = {
        "subject": "draft-900",
        "type": "part-of",
        "object": first.id,
        "note": "span 0\u201327 lies within 0\u201363",
    }
    assert narrowed.plain()["relations"] == [expected]
    assert yaml.safe_load(narrowed.render()) == narrowed.plain()


# ---- scoring -----------------------------------------------------------------------------------


def test_scoring_counts_a_known_false_positive_and_a_known_miss() -> None:
    report = evaluate_relations(WITH_GOLD)
    assert report.document == "relations-article"
    assert (
        report.gold == 3
    )  # karachi part-of combined, exports same-as exports-again, restated same-as karachi
    assert report.outside == 1  # the same-as naming the cited wire report's claim
    hand = report.hand.scores["all"]
    assert _keys(list(hand.false_positives)) == {("lahore", "part-of", "combined")}
    assert _keys(list(hand.misses)) == {("restated", "same-as", "karachi")}
    # exports same-as exports-again is listed the other way round: same-as matches either way.
    assert (report.hand.precision().hits, report.hand.precision().total) == (2, 3)
    assert (report.hand.recall().hits, report.hand.recall().total) == (2, 3)
    assert (report.hand.precision("part-of").hits, report.hand.precision("part-of").total) == (1, 2)
    assert (report.hand.recall("part-of").hits, report.hand.recall("part-of").total) == (1, 1)
    assert (report.hand.precision("same-as").hits, report.hand.precision("same-as").total) == (1, 1)
    assert (report.hand.recall("same-as").hits, report.hand.recall("same-as").total) == (1, 2)
    # Whole sentences never nest: the drafted claims give nothing, which is no precision, and no recall.
    assert report.drafted.precision().total == 0
    assert report.drafted.precision().defined().strip().startswith("n/a")
    assert (report.drafted.recall().hits, report.drafted.recall().total) == (0, 3)
    rows = report.rows()
    assert "not listed (hand claims): lahore part-of combined" in rows
    assert "not proposed (hand claims): restated same-as karachi" in rows


def test_part_of_is_directed_but_same_as_is_not() -> None:
    gold = [Relation("a", "part-of", "b"), Relation("c", "same-as", "d"), Relation("e", "supports", "f")]
    proposed = [Relation("b", "part-of", "a"), Relation("d", "same-as", "c"), Relation("e", "supports", "f")]
    score = score_relations(proposed, gold)
    assert (score.proposed, score.gold, score.hits) == (2, 2, 1)  # supports is not a span type: not scored
    assert _keys(list(score.misses)) == {("a", "part-of", "b")}


def test_a_drafted_claim_counts_as_the_hand_claims_with_exactly_its_span() -> None:
    gold = read_gold(WITH_GOLD)
    text = gold.texts["relations-article"]
    draft = draft_text(text, Known([], []), document_id="relations-article", text_file="x.txt")
    whole = draft.claims[0]
    assert (whole.sentence.start, whole.sentence.end) == (0, 63)  # the span of "combined"
    karachi = dataclasses.replace(whole, id="draft-900", sentence=Sentence(0, 27, text[0:27]))
    elsewhere = dataclasses.replace(whole, id="draft-901", sentence=Sentence(0, 7, text[0:7]))
    report = evaluate_relations(
        WITH_GOLD, draft=dataclasses.replace(draft, claims=[*draft.claims, karachi, elsewhere])
    )
    drafted = report.drafted.scores["all"]
    assert (drafted.proposed, drafted.hits, drafted.gold) == (3, 1, 3)
    # draft-901 matches no hand claim's span, so its two part-of relations are false positives.
    assert _keys(list(drafted.false_positives)) == {
        ("draft-901", "part-of", "combined"),
        ("draft-901", "part-of", "karachi"),
    }


def test_no_relations_list_is_no_gold_but_an_empty_list_is_gold_with_nothing_listed(tmp_path: Path) -> None:
    report, _ = evaluate(NO_GOLD)
    assert report.relations.gold is None
    table = report.table()
    assert "no gold, the file has no `relations` list" in table
    assert "relation precision" not in table  # no zero figures printed for a missing gold
    assert "3 over the hand claims, 0 over the drafted claims" in table

    empty = tmp_path / "empty.yaml"
    empty.write_text(NO_GOLD.read_text(encoding="utf-8") + "\nrelations: []\n", encoding="utf-8")
    (tmp_path / "relations-article.txt").write_bytes((FIXTURES / "relations-article.txt").read_bytes())
    scored = evaluate_relations(empty)
    assert scored.gold == 0
    assert (scored.hand.precision().hits, scored.hand.precision().total) == (0, 3)
    assert "relation precision (hand claims)" in "\n".join(scored.rows())


def test_the_seed_evaluation_table_carries_the_relation_rows() -> None:
    report, _ = evaluate()
    rows = report.relations.rows()
    assert report.table().endswith("\n".join(rows))
    assert report.relations.hand.scores["all"].proposed > 0
    assert report.relations.drafted.scores["all"].proposed == 0


def test_a_malformed_relation_or_quote_is_refused_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "relations-article.txt").write_bytes((FIXTURES / "relations-article.txt").read_bytes())
    bad = tmp_path / "bad.yaml"
    text = WITH_GOLD.read_text(encoding="utf-8")
    bad.write_text(
        text.replace('    note: "The first clause of the combined claim."\n', "", 1), encoding="utf-8"
    )
    with pytest.raises(SeedError, match=r"relations\[0\]: missing 'note'"):
        read_gold(bad)
    bad.write_text(text.replace("span: {start: 0, end: 27}", "span: {start: 1, end: 27}"), encoding="utf-8")
    with pytest.raises(SeedError, match="claim 'karachi': quote does not match the text at 1\u201327"):
        read_gold(bad)


# ---- the command -------------------------------------------------------------------------------


def test_draft_relations_prints_the_unlisted_proposals_as_yaml_and_the_scores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["draft", "--relations", str(WITH_GOLD)]) == 0
    out = capsys.readouterr().out
    pasted = yaml.safe_load("\n".join(line for line in out.splitlines() if not line.startswith("#")))
    assert pasted == {
        "relations": [
            {
                "subject": "lahore",
                "type": "part-of",
                "object": "combined",
                "note": "span 33\u201362 lies within 0\u201363",
            }
        ]
    }
    assert "prove 3 relation(s) (same-as, part-of): 2 listed in it already, 1 not listed yet" in out
    assert "relation precision (hand claims)" in out
    assert "66.7% (2/3)" in out


def test_draft_relations_of_a_missing_file_fails_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["draft", "--relations", str(tmp_path / "nope.yaml")]) == 1
    assert "cannot read the file" in capsys.readouterr().err
