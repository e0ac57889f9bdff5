"""The curated seed data itself: quotes, spans, coverage of the text, themes, entities and context."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.schemas.annotations import ClaimIn, DocumentIn
from app.schemas.common import CLAIM_ROUTE_WORDS
from app.services.annotations import SeedData, read_annotations
from seed.loader import DEFAULT_ANNOTATIONS

SHARED_SOURCE = Path("/work/shared/source/pakistan-it-sector.txt")
TITLE_LINE = "Driving Forward Remarkable Growth of Pakistan\u2019s IT Sector."
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")


@pytest.fixture(scope="module")
def seed() -> SeedData:
    return read_annotations(DEFAULT_ANNOTATIONS)


@pytest.fixture(scope="module")
def text(seed: SeedData) -> str:
    """The article's text: the one document whose text the seed holds (the others are cited sources)."""
    (article,) = _held(seed)
    return seed.texts[article.id]


def _held(seed: SeedData) -> list[DocumentIn]:
    """The documents whose text the seed holds; a cited document has no text file."""
    return [d for d in seed.annotations.documents if d.held]


def _quoted_claims(seed: SeedData) -> list[ClaimIn]:
    """The claims of held documents (quote and span); a cited document's paraphrases have neither."""
    held = {d.id for d in _held(seed)}
    return [c for c in seed.annotations.claims if c.document in held]


def _sentences(paragraph: str, offset: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph starting at `offset`, split on `(?<=[.!?])\\s+`."""
    start = 0
    for gap in SENTENCE_BREAK.finditer(paragraph):
        yield offset + start, offset + gap.start()
        start = gap.end()
    if start < len(paragraph):
        yield offset + start, offset + len(paragraph)


def _headings(text: str) -> list[tuple[int, int]]:
    """Paragraphs without a final period."""
    return [(m.start(), m.end()) for m in PARAGRAPH.finditer(text) if not m.group().rstrip().endswith(".")]


def _title_occurrences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(TITLE_LINE), text)]


def _claims_by_id(seed: SeedData) -> dict[str, ClaimIn]:
    return {c.id: c for c in seed.annotations.claims}


def test_every_quote_is_the_text_at_its_span(seed: SeedData) -> None:
    quoted = [(c, c.quoted) for c in seed.annotations.claims if c.quote is not None]
    wrong = [c.id for c, q in quoted if seed.texts[c.document][q.start : q.end] != q.quote]
    assert wrong == []


def test_claim_ids_are_unique_and_the_articles_keep_pkit_nnn(seed: SeedData) -> None:
    # Ids are names, not positions: neither sequential nor in document order is required. The article's
    # claims keep their pkit-NNN ids (URLs cite them); other claims may have any slug.
    ids = [c.id for c in seed.annotations.claims]
    assert ids, "the seed has claims"
    assert len(ids) == len(set(ids))
    article = [c.id for c in seed.annotations.claims if c.document == "pakistan-it-sector"]
    assert [i for i in article if not re.fullmatch(r"pkit-\d{3}", i)] == []
    assert [i for i in ids if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i)] == []


def test_themes_number_eight_to_twelve_and_include_the_articles_topics(seed: SeedData) -> None:
    slugs = [t.slug for t in seed.annotations.themes]
    assert 8 <= len(slugs) <= 12
    required = {
        "talent-workforce",
        "government-policy",
        "infrastructure-connectivity",
        "startups-entrepreneurship",
        "global-recognition",
        "freelancing-exports",
        "challenges",
        "outlook",
    }
    assert required <= set(slugs)


def test_every_theme_is_used_by_some_claim(seed: SeedData) -> None:
    used = {slug for c in seed.annotations.claims for slug in c.themes}
    assert [t.slug for t in seed.annotations.themes if t.slug not in used] == []


def test_entities_include_the_named_companies_places_groups_and_industries(seed: SeedData) -> None:
    types = {e.slug: e.type for e in seed.annotations.entities}
    expected = {
        "careem": "company",
        "daraz": "company",
        "pakistan": "country",
        "government-of-pakistan": "government",
        "pakistani-diaspora": "group",
        "pakistani-it-firms": "group",
        "freelancers": "group",
        "international-tech-giants": "group",
        "e-commerce": "industry",
        "fintech": "industry",
        "healthtech": "industry",
        "edtech": "industry",
        "ride-hailing": "industry",
    }
    assert {slug: types.get(slug) for slug in expected} == expected


def test_daraz_goes_by_daraz_pk(seed: SeedData) -> None:
    daraz = next(e for e in seed.annotations.entities if e.slug == "daraz")
    assert "Daraz.pk" in daraz.aliases


def test_the_title_line_occurs_twice_in_the_text(text: str) -> None:
    assert len(_title_occurrences(text)) == 2


def test_claims_cover_every_body_sentence_except_its_final_period(seed: SeedData, text: str) -> None:
    covered = {i for c in _quoted_claims(seed) for i in range(c.quoted.start, c.quoted.end)}
    checked = 0
    uncovered: list[str] = []
    for paragraph in PARAGRAPH.finditer(text):
        if not paragraph.group().rstrip().endswith("."):
            continue  # a heading
        for start, end in _sentences(paragraph.group(), paragraph.start()):
            sentence = text[start:end]
            if sentence == TITLE_LINE:
                continue
            checked += 1
            body_end = end - 1 if sentence.endswith(".") else end
            missing = [i for i in range(start, body_end) if not text[i].isspace() and i not in covered]
            if missing:
                uncovered.append(f"{sentence[:60]!r}: {''.join(text[i] for i in missing)!r}")
    assert checked > 0
    assert uncovered == []


def test_no_claim_quotes_a_heading_or_the_title_line(seed: SeedData, text: str) -> None:
    headings = _headings(text)
    assert headings, "the text has headings"
    excluded = headings + _title_occurrences(text)
    overlapping = [
        (c.id, text[start:end])
        for c in _quoted_claims(seed)
        for start, end in excluded
        if c.quoted.start < end and start < c.quoted.end
    ]
    assert overlapping == []


def _sentence_containing(text: str, phrase: str) -> tuple[int, int]:
    at = text.index(phrase)
    start = max(text.rfind(". ", 0, at) + 2, text.rfind("\n", 0, at) + 1)
    return start, text.index(".", at) + 1


def _narrowest_claim_quoting(claims: list[ClaimIn], phrase: str) -> ClaimIn:
    matching = [c for c in claims if phrase in c.quoted.quote]
    assert matching, f"no claim quotes {phrase!r}"
    return min(matching, key=lambda c: len(c.quoted.quote))


def test_the_careem_daraz_sentence_is_split_into_separate_claims(seed: SeedData, text: str) -> None:
    start, end = _sentence_containing(text, "Platforms like Careem")
    inside = [c for c in _quoted_claims(seed) if start <= c.quoted.start and c.quoted.end <= end]
    careem = _narrowest_claim_quoting(inside, "homegrown ride-hailing service")
    daraz = _narrowest_claim_quoting(inside, "leading e-commerce platform")
    success = _narrowest_claim_quoting(inside, "significant success")
    investment = _narrowest_claim_quoting(inside, "attracting investment")
    reshaping = _narrowest_claim_quoting(inside, "reshaping the digital landscape")
    assert len({c.id for c in (careem, daraz, success, investment, reshaping)}) == 5

    assert "Careem" in careem.quoted.quote
    assert "Daraz" not in careem.quoted.quote
    assert "careem" in careem.entities
    assert "daraz" not in careem.entities
    assert "Careem" in careem.statement
    assert "homegrown" in careem.statement
    assert "Daraz" in daraz.quoted.quote
    assert "Careem" not in daraz.quoted.quote
    assert "daraz" in daraz.entities
    assert "careem" not in daraz.entities
    assert "Daraz" in daraz.statement
    assert "leading e-commerce" in daraz.statement
    for shared in (success, investment, reshaping):
        assert {"careem", "daraz"} <= set(shared.entities), shared.id
    assert "investment" not in success.quoted.quote
    assert "reshaping" not in success.quoted.quote
    assert "success" not in investment.quoted.quote
    assert "reshaping" not in investment.quoted.quote
    assert "success" not in reshaping.quoted.quote
    assert "investment" not in reshaping.quoted.quote


def test_every_context_source_has_a_title_or_publisher(seed: SeedData) -> None:
    anonymous = [
        c.id
        for c in seed.annotations.claims
        for note in c.context
        for source in note.sources
        if not (source.title or source.publisher)
    ]
    assert anonymous == []


def test_unknown_document_metadata_is_null_not_invented(seed: SeedData) -> None:
    # The address is the stored page's (tests/services/test_seed_audit.py); nothing else is stated there.
    (document,) = _held(seed)
    assert document.publisher is None
    assert document.published_date is None
    assert document.retrieved_date is None


def test_document_sha256_is_the_digest_of_its_text_file(seed: SeedData) -> None:
    for document in seed.annotations.documents:
        if document.text_file is None:
            continue  # a cited document: no text held
        data = (DEFAULT_ANNOTATIONS.parent / document.text_file).read_bytes()
        assert document.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not SHARED_SOURCE.exists(), reason=f"{SHARED_SOURCE} is not present")
def test_seed_text_is_byte_identical_to_the_shared_source() -> None:
    (document,) = _held(read_annotations(DEFAULT_ANNOTATIONS))
    assert document.text_file is not None
    assert (DEFAULT_ANNOTATIONS.parent / document.text_file).read_bytes() == SHARED_SOURCE.read_bytes()


def test_a_claim_cannot_take_the_id_of_a_route_under_claims(seed: SeedData) -> None:
    claim = seed.annotations.claims[0].model_dump(exclude_unset=True) | {"id": "facets"}
    with pytest.raises(ValidationError, match="names a route under /v1/claims"):
        ClaimIn.model_validate(claim)
    assert ClaimIn.model_validate(claim | {"id": "facets-2"}).id == "facets-2"
    assert ClaimIn.model_json_schema()["properties"]["id"]["not"] == {"enum": list(CLAIM_ROUTE_WORDS)}
