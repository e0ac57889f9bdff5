"""A draft annotation file for a new article: one claim per body sentence, with proposed kind, themes and
entities, in the exact seed format (valid as written), commented for the curator who finishes it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.drafting.dates import DateMention, Validity, find_dates, propose_validity
from app.drafting.entities import (
    EntityMatcher,
    Mention,
    NewEntities,
    NewEntity,
    capitalised_names,
    mid_sentence_capitals,
)
from app.drafting.entities import slugify as _slugify
from app.drafting.kinds import propose_kind
from app.drafting.known import Known
from app.drafting.quantities import Quantity, find_quantities
from app.drafting.relations import Relation, SpannedClaim, propose_relations
from app.drafting.sentences import Sentence, split_sentences
from app.drafting.themes import ThemeModel, ThemeScore
from app.models import ClaimKind
from app.schemas.annotations import FORMAT, ClaimIn, EntityIn

ThemeModelFor = Callable[[Sentence], ThemeModel]
_THE_COUNTRY = re.compile(r"\b(?:the|this) (?:country|nation)(?:['\u2019]s)?\b", re.IGNORECASE)
FALLBACK_THEME = "unthemed"
# Quantities and validity are claim fields of the format once app/schemas/annotations.py has them; until
# then the draft carries its proposals as comments, so it stays valid as written.
CLAIM_HAS_QUANTITIES = "quantities" in ClaimIn.model_fields
CLAIM_HAS_VALIDITY = "validity" in ClaimIn.model_fields


class DraftError(Exception):
    """The draft could not be written (for example, a different file already has the article's name)."""


@dataclass(frozen=True)
class DraftClaim:
    """One proposed claim: a body sentence with its proposed kind, themes and entities."""

    id: str
    sentence: Sentence
    kind: ClaimKind
    kind_cue: str | None
    themes: list[ThemeScore]
    entities: list[str]
    known_mentions: list[Mention]
    implied: list[str]  # entities referred to as "the country"
    new: list[str]  # slugs of proposed new entities
    quantities: list[Quantity] = field(default_factory=list)  # offsets into the sentence (the quote)
    dates: list[DateMention] = field(default_factory=list)  # likewise
    validity: Validity | None = None


@dataclass
class Draft:
    """A drafted annotation file for one article."""

    document_id: str
    title: str
    text_file: str
    sha256: str
    text: str
    sentences: list[Sentence]
    claims: list[DraftClaim]
    known: Known
    new_entities: list[NewEntity] = field(default_factory=list)
    known_source: str = "the seed annotations"

    @property
    def relations(self) -> list[Relation]:
        """The `same-as` and `part-of` relations the claims' spans prove (none while claims are whole,
        distinct sentences; the proposer is there for claims narrowed or split by hand)."""
        return propose_relations(
            [SpannedClaim(c.id, self.document_id, c.sentence.start, c.sentence.end) for c in self.claims]
        )

    @property
    def theme_slugs(self) -> list[str]:
        """Every theme of the file: all known themes, in their order (so loading keeps their positions)."""
        slugs = [t.slug for t in self.known.themes]
        return slugs or [FALLBACK_THEME]

    @property
    def used_known_entities(self) -> list[EntityIn]:
        """The known entities some claim names, in the known order."""
        used = {slug for claim in self.claims for slug in claim.entities}
        return [e for e in self.known.entities if e.slug in used]

    def plain(self) -> dict[str, Any]:
        """The annotation file as plain data (what the YAML loads to)."""
        themes = [
            {"slug": t.slug, "name": t.name, "description": t.description} for t in self.known.themes
        ] or [{"slug": FALLBACK_THEME, "name": "Unthemed", "description": "TODO: no themes were known."}]
        entities: list[dict[str, Any]] = [e.model_dump(mode="json") for e in self.used_known_entities]
        entities += [
            {
                "slug": e.slug,
                "name": e.name,
                "type": e.type,
                "aliases": list(e.aliases),
                "description": f"TODO: describe {e.name} (proposed by sectorfacts draft).",
                "external_ids": {},
            }
            for e in self.new_entities
        ]
        plain: dict[str, Any] = {
            "format": FORMAT,
            "documents": [
                {
                    "id": self.document_id,
                    "title": self.title,
                    "text_file": self.text_file,
                    "sha256": self.sha256,
                    "language": None,
                    "publisher": None,
                    "url": None,
                    "published_date": None,
                    "retrieved_date": None,
                }
            ],
            "themes": themes,
            "entities": entities,
            "claims": [
                {
                    "id": c.id,
                    "document": self.document_id,
                    "statement": c.sentence.text,
                    "quote": c.sentence.text,
                    "span": {"start": c.sentence.start, "end": c.sentence.end},
                    "kind": c.kind,
                    "themes": [t.slug for t in c.themes] or [self.theme_slugs[0]],
                    "entities": list(c.entities),
                    "context": [],
                    **_numbers_plain(c),
                }
                for c in self.claims
            ],
        }
        # Written only when there is one, so a draft without relations stays a format/1 file.
        if relations := self.relations:
            plain["relations"] = [r.plain() for r in relations]
        return plain

    def render(self) -> str:
        """The annotation file as commented YAML; loads to exactly `plain()`."""
        return _render(self)

    def summary(self) -> str:
        """A few lines saying what was proposed."""
        roles = Counter(s.role for s in self.sentences)
        kinds = Counter(c.kind for c in self.claims)
        themes = Counter(t.slug for c in self.claims for t in c.themes)
        fragments = sum(1 for c in self.claims if c.sentence.fragment)
        joined = sum(1 for c in self.claims if any(n.startswith("joined") for n in c.sentence.notes))
        lines = [
            f"sentences: {roles['body']} body, {roles['heading']} heading(s), {roles['title']} title line(s)"
            f" ({fragments} flagged as fragments, {joined} joined across a stray full stop)",
            f"claims proposed: {len(self.claims)} (one per body sentence, ids draft-001…)",
            f"relations proposed: {len(self.relations)} (same-as and part-of, from equal or nested spans)",
            f"quantities proposed: {sum(len(c.quantities) for c in self.claims)}"
            f" (in {sum(1 for c in self.claims if c.quantities)} claims);"
            f" dates found: {sum(len(c.dates) for c in self.claims)};"
            f" validity proposed for {sum(1 for c in self.claims if c.validity)} claims",
            "kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
            "themes: " + ", ".join(f"{k} {n}" for k, n in themes.most_common()),
            f"known entities found: {len(self.used_known_entities)} ("
            + ", ".join(e.slug for e in self.used_known_entities)
            + ")",
            f"new entities proposed: {len(self.new_entities)}"
            + (
                " (" + ", ".join(f"{e.name} [{e.type}]" for e in self.new_entities) + ")"
                if self.new_entities
                else ""
            ),
        ]
        return "\n".join(lines)


def _numbers_plain(claim: DraftClaim) -> dict[str, Any]:
    """The claim's `quantities` and `validity` proposals, as far as the claim format has those fields."""
    plain: dict[str, Any] = {}
    claimable = [q.claim_data() for q in claim.quantities if q.unit is not None]
    if CLAIM_HAS_QUANTITIES and claimable:
        plain["quantities"] = claimable
    if CLAIM_HAS_VALIDITY and claim.validity is not None:
        plain["validity"] = claim.validity.plain()
    return plain


def _main_country(claims: list[tuple[Sentence, list[Mention]]], known: Known) -> str | None:
    countries = {e.slug for e in known.entities if e.type == "country"}
    counts = Counter(m.slug for _, mentions in claims for m in mentions if m.slug in countries)
    if not counts:
        return None
    slug, count = counts.most_common(1)[0]
    return slug if count >= 2 else None


def draft_text(
    text: str,
    known: Known,
    *,
    document_id: str,
    text_file: str,
    sha256: str | None = None,
    title: str | None = None,
    theme_model_for: ThemeModelFor | None = None,
) -> Draft:
    """Propose claims for `text` from what `known` holds; `theme_model_for` picks the theme model per
    sentence (the evaluation holds each sentence's own annotations out); by default one model from all."""
    sentences = split_sentences(text)
    matcher = EntityMatcher(known.entities)
    if theme_model_for is None:
        model = ThemeModel(known.themes, known.examples)

        def theme_model_for(_sentence: Sentence) -> ThemeModel:
            return model

    body = [s for s in sentences if s.role == "body"]
    mentioned = [(s, matcher.find(s.text, s.start)) for s in body]
    country = _main_country(mentioned, known)
    names_elsewhere = frozenset(name for s in body for name in mid_sentence_capitals(s.text))
    new_entities = NewEntities(known.entities)
    claims: list[DraftClaim] = []
    first = _first_free_draft_number(known)
    for number, (sentence, found) in enumerate(mentioned, start=first):
        relative = [
            Mention(m.slug, m.start - sentence.start, m.end - sentence.start, m.surface) for m in found
        ]
        names = [
            (sentence.start + start, sentence.start + end)
            for start, end in capitalised_names(sentence.text, relative, matcher.vocabulary, names_elsewhere)
        ]
        # A known name inside a longer new one ("Pakistan" in "Pakistan Software Export Board") is part of it.
        mentions = [m for m in found if not any(a <= m.start and m.end <= b for a, b in names)]
        positioned: list[tuple[int, str]] = [(m.start, m.slug) for m in mentions]
        new_slugs: list[str] = []
        for start, end in names:
            entity = new_entities.add(text, start, end)
            if entity is not None:
                new_slugs.append(entity.slug)
                positioned.append((start, entity.slug))
        implied: list[str] = []
        if country is not None and (the_country := _THE_COUNTRY.search(sentence.text)):
            if country not in {m.slug for m in mentions}:
                implied.append(country)
            positioned.append((sentence.start + the_country.start(), country))
        kind, cue = propose_kind(sentence.text)
        themes = theme_model_for(sentence).propose(sentence.text, sentence.section) if known.themes else []
        quantities = find_quantities(sentence.text)
        dates = find_dates(sentence.text, skip=[(q.start, q.end) for q in quantities])
        claims.append(
            DraftClaim(
                id=f"draft-{number:03d}",
                sentence=sentence,
                kind=kind,
                kind_cue=cue,
                themes=themes,
                entities=list(dict.fromkeys(slug for _, slug in sorted(positioned))),
                known_mentions=mentions,
                implied=implied,
                new=list(dict.fromkeys(new_slugs)),
                quantities=quantities,
                dates=dates,
                validity=propose_validity(dates),
            )
        )
    if title is None:
        title = _title(sentences, document_id)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Draft(document_id, title, text_file, digest, text, sentences, claims, known, new_entities.entities)


def _first_free_draft_number(known: Known) -> int:
    """1, or one past the highest draft-NNN claim id already known (so loading two drafts clashes nowhere)."""
    numbers = [int(m.group(1)) for e in known.examples if (m := re.fullmatch(r"draft-(\d+)", e.claim_id))]
    return max(numbers, default=0) + 1


def _title(sentences: list[Sentence], fallback: str) -> str:
    for sentence in sentences:
        if sentence.role in ("title", "heading"):
            return sentence.text.rstrip(". ")
    return fallback.replace("-", " ").capitalize()


def document_id_for(article: Path, known: Known) -> str:
    """A slug from the file name, with "-draft" added if a known document already has it."""
    base = _slugify(article.stem)
    return f"{base}-draft" if base in known.documents else base


def draft_file(article: Path, out: Path, known: Known, *, known_source: str) -> Draft:
    """Draft `article`, copy it beside `out` (unless it is there already) and write the draft to `out`."""
    data = article.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DraftError(f"{article}: not UTF-8 text: {error}") from error
    target = out.parent / article.name
    out.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.samefile(article) and target.read_bytes() != data:
        raise DraftError(f"{target} exists and differs from {article}; choose another --out folder")
    draft = draft_text(
        text,
        known,
        document_id=document_id_for(article, known),
        text_file=article.name,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    draft.known_source = known_source
    rendered = draft.render()
    if yaml.safe_load(rendered) != draft.plain():  # the renderer's own check: comments must not change data
        raise DraftError("internal error: the rendered YAML does not load back to the draft")
    if not target.exists():
        shutil.copyfile(article, target)
    out.write_text(rendered, encoding="utf-8")
    return draft


# ---- YAML with comments ------------------------------------------------------------------------

_PLAIN_SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def _q(value: object) -> str:
    """A YAML scalar: null, a number, a plain slug, or a double-quoted string (JSON quoting is valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # YAML 1.1 (PyYAML) reads a float only with a dot and no bare exponent: "3100000000.0".
        text = repr(value)
        return text if "." in text and "e" not in text else f"{value:.1f}"
    text = str(value)
    if _PLAIN_SLUG.fullmatch(text) and text not in _YAML_WORDS:
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


# Characters YAML reads as line breaks or refuses as non-printable: escaped, so quotes load back exactly.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _comment(text: str) -> str:
    return " ".join(text.split())


def _render(draft: Draft) -> str:
    plain = draft.plain()
    document = plain["documents"][0]
    out: list[str] = [
        f"# DRAFT annotations of {draft.text_file}, proposed by `sectorfacts draft` from the themes and",
        f"# entities of {draft.known_source}. Format: see seed/annotations.yaml. Nobody has checked it yet.",
        "# This file is valid as it stands (`sectorfacts seed FILE` accepts it). To finish it, a curator:",
        "#   1. rewrites each statement as one proposition readable without the article, and narrows each",
        "#      quote and span to the words it rests on (one sentence may give several claims;",
        "#      keep text[span.start:span.end] == quote);",
        "#   2. checks each kind, theme and entity (the comments say why each was proposed);",
        "#   3. accepts, renames or removes every entity marked 'proposed: new entity' and describes it;",
        "#   4. renames the draft-NNN ids, fills in the document's title and metadata if known,",
        "#      and loads it: sectorfacts seed FILE",
        "",
        f"format: {FORMAT}",
        "",
        "documents:",
        f"  - id: {_q(document['id'])}",
        f"    title: {_q(document['title'])}  # TODO: check (taken from the title line or a heading)",
        f"    text_file: {_q(document['text_file'])}",
        f"    sha256: {document['sha256']}",
    ]
    out += [f"    {key}: null  # unknown" for key in ("language", "publisher", "url")]
    out += [f"    {key}: null  # unknown" for key in ("published_date", "retrieved_date")]
    out += [
        "",
        "# All known themes, in their order (loading keeps their positions); claims use some.",
        "themes:",
    ]
    for theme in plain["themes"]:
        out += [
            f"  - slug: {_q(theme['slug'])}",
            f"    name: {_q(theme['name'])}",
            f"    description: {_q(theme['description'])}",
        ]
    out += ["", "entities:"]
    known_count = len(draft.used_known_entities)
    if known_count:
        out.append(f"  # Known entities the claims name, copied from {draft.known_source}.")
    for index, entity in enumerate(plain["entities"]):
        if index == known_count:
            out.append(
                "  # Proposed NEW entities: capitalised names no known entity covers. Accept or remove each."
            )
        if index >= known_count:
            proposal = draft.new_entities[index - known_count]
            seen_in = ", ".join(dict.fromkeys(c.id for c in draft.claims if proposal.slug in c.new))
            out.append(f"  # proposed: new entity, seen in {seen_in}; {_comment(proposal.reason)}")
        out += [
            f"  - slug: {_q(entity['slug'])}",
            f"    name: {_q(entity['name'])}",
            f"    type: {_q(entity['type'])}",
            f"    aliases: {_flow(entity['aliases'])}",
            f"    description: {_q(entity['description'])}",
            "    external_ids: {}"
            if not entity["external_ids"]
            else "    external_ids: " + json.dumps(entity["external_ids"], ensure_ascii=False),
        ]
    if not plain["entities"]:
        out[-1] = "entities: []"
    out += ["", "claims:"]
    for claim, data in zip(draft.claims, plain["claims"], strict=True):
        out += _render_claim(claim, data)
    if not plain["claims"]:
        out[-1] = "claims: []"
    if draft.relations:
        out += ["", *render_relations(draft.relations)]
    else:
        out += [
            "# relations: none proposed. Spans prove `part-of` (a quote inside another) and `same-as` (the",
            "# same quote), and whole sentences never nest. After splitting claims, `sectorfacts draft",
            "# --relations FILE` proposes theirs.",
        ]
    return "\n".join(out) + "\n"


def render_relations(relations: list[Relation]) -> list[str]:
    """Proposed relations as the commented `relations:` section of an annotation file."""
    out = [
        "# Proposed from the spans alone: check each, and add supports / contradicts / qualifies.",
        "relations:",
    ]
    for relation in relations:
        out += [
            f"  - subject: {_q(relation.subject)}",
            f"    type: {_q(relation.type)}",
            f"    object: {_q(relation.object)}",
            f"    note: {_q(relation.note)}",
        ]
    return out


def _render_claim(claim: DraftClaim, data: dict[str, Any]) -> list[str]:
    sentence = claim.sentence
    lines = [f"  - id: {data['id']}"]
    for note in sentence.notes:
        lines.append(f"    # {_comment(note)}")
    lines += [
        f"    document: {_q(data['document'])}",
        "    # TODO: rewrite the statement as a proposition readable without the article.",
        f"    statement: {_q(data['statement'])}",
        f"    quote: {_q(data['quote'])}",
        f"    span: {{start: {sentence.start}, end: {sentence.end}}}",
    ]
    cue = f'cue "{claim.kind_cue}"' if claim.kind_cue else "no opinion, prediction or recommendation cue"
    lines.append(f"    kind: {data['kind']}  # proposed: {cue}")
    evidence = "; ".join(
        f"{t.slug} {t.score:.2f}" + (f" ({', '.join(t.evidence)})" if t.evidence else "")
        for t in claim.themes
    )
    lines.append(f"    themes: {_flow(data['themes'])}  # proposed: {_comment(evidence) or 'no theme known'}")
    reasons = [f"{m.surface!r} -> {m.slug}" for m in claim.known_mentions]
    reasons += [f"'the country' -> {slug}" for slug in claim.implied]
    reasons += [f"NEW {slug}" for slug in claim.new]
    suffix = f"  # proposed: {_comment('; '.join(reasons))}" if reasons else ""
    lines.append(f"    entities: {_flow(data['entities'])}{suffix}")
    lines.append("    context: []")
    lines += _render_numbers(claim, data)
    lines.append("")
    return lines


def _flow_mapping(mapping: dict[str, Any]) -> str:
    """A one-line YAML mapping ({a: 1, span: {start: 0, end: 3}})."""
    items = (f"{k}: {_flow_mapping(v) if isinstance(v, dict) else _q(v)}" for k, v in mapping.items())
    return "{" + ", ".join(items) + "}"


def _render_numbers(claim: DraftClaim, data: dict[str, Any]) -> list[str]:
    """The quantities and validity proposed, as fields when the format has them, else as comments."""
    lines: list[str] = []
    if claim.quantities:
        prefix = "" if "quantities" in data else "# "
        note = "spans are offsets into the quote (shift them if you narrow it)"
        lines.append(f"    {prefix}quantities:  # proposed: {note}")
        lines += [
            f"    {prefix}  - {_flow_mapping(q.claim_data())}" for q in claim.quantities if q.unit is not None
        ]
        lines += [
            f"    #   - {_flow_mapping(q.plain())}  # no unit found: give one or drop it"
            for q in claim.quantities
            if q.unit is None
        ]
    if claim.dates:
        found = "; ".join(
            f'"{d.stated}" -> {d.value} ({d.precision}' + (f", cue {d.cue})" if d.cue else ")")
            for d in claim.dates
        )
        lines.append(f"    # dates found: {_comment(found)}")
    if claim.validity is not None:
        prefix = "" if "validity" in data else "# "
        lines.append(
            f"    {prefix}validity: {_flow_mapping(claim.validity.plain())}"
            f"  # proposed: {_comment(claim.validity.reason)}"
        )
    elif claim.dates:
        lines.append(
            "    # validity: none proposed (the dates' cues do not say when the claim holds; check by hand)"
        )
    return lines
