"""Entity proposal: known names and aliases found in a sentence, and new capitalised names proposed.

Known entities are matched by their name, every alias and their slug read as words ("it-parks" -> "it
parks"), word for word on the search analyzer's terms (case-, apostrophe-, diacritic- and
inflection-insensitive: "Pakistan\u2019s" finds Pakistan, "freelancing" finds "freelancers"), whole
words only, longest name first. Two guards keep stemming honest: a short word (3 letters or fewer) must
match exactly ("IT parks" is not "its parks"), and a verb, -ation or -ly form does not match a noun
("accelerating" is not "accelerators").

Unknown names are runs of capitalised words ("Pakistan Software Export Board", "Systems Limited") or a
single capitalised word that is not the sentence's first ("Jazz"; a first word only when an appositive
follows it, "Jazz, the largest operator", or it is capitalised mid-sentence elsewhere), minus a small stop
list, words of known names ("Pakistani"), names after a personal title ("Dr. …": the format has no person
type) and runs a known name already covers. Each becomes a proposed entity with a slug, a type guessed
from its head noun (or "country" for a listed place, the format's only place type) and, when "(ABBR)"
follows it, that abbreviation as an alias.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.drafting.sentences import word_set
from app.models import EntityType
from app.schemas.annotations import EntityIn
from app.services.keys import lookup_key
from app.services.search.analyzer import fold, tokens


@dataclass(frozen=True)
class Word:
    """A word of a name or of the text: its analysed term, folded form and offsets."""

    term: str
    folded: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """An entity named in the text at [start, end)."""

    slug: str
    start: int
    end: int
    surface: str


def words(text: str, offset: int = 0) -> list[Word]:
    """The analysed words of `text`, with offsets shifted by `offset`."""
    return [
        Word(token.term, fold(text[token.start : token.end]), offset + token.start, offset + token.end)
        for token in tokens(text)
    ]


_DERIVED = ("ate", "ates", "ated", "ating", "ation", "ations", "ance", "ly")
_GAP = re.compile(r"[\s\-\u2010-\u2014./&]*")


def _derived(folded: str) -> bool:
    return folded.endswith(_DERIVED)


def _same_word(name: Word, text: Word) -> bool:
    if name.term != text.term:
        return False
    if len(name.folded) <= 3 or len(text.folded) <= 3:
        return name.folded == text.folded
    return _derived(name.folded) == _derived(text.folded)


def _names_of(entity: EntityIn) -> list[str]:
    return [entity.name, *entity.aliases, entity.slug.replace("-", " ")]


class EntityMatcher:
    """Finds known entities in text by their names, aliases and slugs."""

    def __init__(self, entities: Sequence[EntityIn]) -> None:
        self.entities = {e.slug: e for e in entities}
        patterns: dict[str, list[tuple[list[Word], str]]] = {}
        seen: set[tuple[tuple[str, ...], str]] = set()
        for entity in entities:
            for name in _names_of(entity):
                name_words = words(name)
                key = (tuple(w.folded for w in name_words), entity.slug)
                if not name_words or key in seen:
                    continue
                seen.add(key)
                patterns.setdefault(name_words[0].term, []).append((name_words, entity.slug))
        for candidates in patterns.values():
            candidates.sort(key=lambda item: -len(item[0]))
        self._patterns = patterns
        # Every word of every known name: capitalised words among these are not new names.
        self.vocabulary = frozenset(
            w.term for entity in entities for name in _names_of(entity) for w in words(name)
        )

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """Known entities named in `text` (longest match first, no overlaps), offsets shifted by `offset`."""
        found: list[Mention] = []
        text_words = words(text)
        index = 0
        while index < len(text_words):
            matched = self._match_at(text, text_words, index)
            if matched is None:
                index += 1
                continue
            length, slug = matched
            first, last = text_words[index], text_words[index + length - 1]
            found.append(Mention(slug, offset + first.start, offset + last.end, text[first.start : last.end]))
            index += length
        return found

    def _match_at(self, text: str, text_words: list[Word], index: int) -> tuple[int, str] | None:
        for name_words, slug in self._patterns.get(text_words[index].term, []):
            end = index + len(name_words)
            if end > len(text_words):
                continue
            window = text_words[index:end]
            if all(_same_word(n, t) for n, t in zip(name_words, window, strict=True)) and all(
                _GAP.fullmatch(text[a.end : b.start]) for a, b in itertools.pairwise(window)
            ):
                return len(name_words), slug
        return None


# ---- new names ---------------------------------------------------------------------------------

_CAP_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_]+(?:[\-'\u2019.&][^\W_]+)*")
_PERSONAL_TITLE = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|Sir|Dame|Mian|Syed)\.?\s+$")
_APPOSITIVE = re.compile(r",\s+(?:the|a|an|one|its|which|who|whose)\b")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_CONNECTORS = frozenset({"of", "for", "the", "&", "de", "al", "bin"})
_LEADERS = word_set(
    """
    the a an this that these those it its in on at as but however meanwhile moreover furthermore
    additionally also yet still we they he she there here his her their our such many some several few
    all every each one two three most more other another new recent last next first while when after
    before since despite although though for with by from according today now platforms like if and or
    yesterday tomorrow overall instead indeed nevertheless nonetheless therefore thus hence then again
    later earlier elsewhere besides otherwise so what why how where who which under over between among
    """
)
# Capitalised words that are not names by themselves.
STOP_WORDS = word_set(
    """
    i it ai ict ceo cto cfo gdp usd pkr rs us mr mrs ms dr prof internet web english urdu
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december covid
    """
)
# Capitalised phrases that are common terms, not names.
STOP_PHRASES = frozenset(
    {
        "information technology",
        "information and communication technology",
        "information and communication technologies",
        "artificial intelligence",
        "machine learning",
        "internet of things",
        "big data",
        "chief executive",
        "chief executive officer",
        "prime minister",
    }
)
# Places the format has no type for but "country": proposed as such, with a note, for the curator to decide.
PLACES = frozenset(
    place.strip()
    for place in str.split(  # a comma-separated list: some places are two words
        """
    karachi, lahore, islamabad, rawalpindi, peshawar, quetta, multan, faisalabad, sialkot, hyderabad,
    gwadar, punjab, sindh, balochistan, khyber pakhtunkhwa, gilgit-baltistan, azad kashmir, dubai, riyadh,
    london, middle east, gulf, europe, asia, south asia, central asia, africa, north america, latin america,
    silicon valley, u.s., u.s, usa, u.k., u.k, uk, u.a.e., uae, united states, united kingdom,
    united arab emirates, china, india, saudi arabia, germany, japan, singapore, malaysia, turkey, qatar
    """,
        ",",
    )
)
_TYPE_BY_HEAD: dict[str, EntityType] = {
    **dict.fromkeys(
        word_set(
            "board ministry authority commission council department division agency directorate secretariat"
            " government senate assembly parliament court regulator"
        ),
        "government",
    ),
    **dict.fromkeys(
        word_set("park parks centre center zone zones campus tower towers hub incubator labs lab city"),
        "facility",
    ),
    **dict.fromkeys(
        word_set(
            "association alliance federation society chamber union community forum foundation institute"
            " university network freelancers professionals engineers developers founders students"
        ),
        "group",
    ),
}
_PLACE_CUE = re.compile(r"\b(?:in|across|from|of|to|near|outside)\s+$", re.IGNORECASE)
_COMPANY_MARKERS = word_set(
    "limited ltd inc corp corporation company co plc llc pvt technologies systems solutions bank group"
    " telecom holdings ventures capital partners software"
)


@dataclass
class NewEntity:
    """A capitalised name the known entities do not cover, proposed for the curator to accept or drop."""

    slug: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    reason: str = ""


def guess_type(name: str, preceding: str = "") -> tuple[EntityType, str]:
    """A type from the name's head noun ("… Board" -> government, "… Park" -> facility), else company.

    A one-word name after "in", "across" or "from" is probably a place: the format's only place type is
    country, so it is proposed as one, for the curator to check.
    """
    parts = [p.casefold().strip(".") for p in name.split()]
    head = parts[-1]
    for connector in ("of", "for"):
        if connector in parts[1:]:
            head = parts[parts.index(connector) - 1]
            break
    if head in _TYPE_BY_HEAD:
        return _TYPE_BY_HEAD[head], f"head noun {head!r}"
    if lookup_key(name) in PLACES:
        return "country", "a place name (the format's only place type is country: check, or drop it)"
    if len(parts) == 1 and _PLACE_CUE.search(preceding):
        return "country", "a place cue before it (the format has no city type: check)"
    if any(p in _COMPANY_MARKERS for p in parts):
        return "company", "a company word in the name"
    return "company", "a proper name with no type cue (guess)"


def slugify(name: str) -> str:
    """A slug from a name: folded, non-alphanumerics collapsed to hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name).replace("&", " and ")).strip("-")[:100] or "entity"


@dataclass(frozen=True)
class _Run:
    words: list[re.Match[str]]
    at_start: bool


def _runs(sentence: str) -> Iterable[_Run]:
    """Runs of capitalised words (with inner connectors like "of"), separated by single spaces or hyphens."""
    matches = list(_CAP_WORD.finditer(sentence))
    current: list[re.Match[str]] = []
    pending: list[re.Match[str]] = []  # connectors waiting for a capitalised word after them
    first_index = 0
    for index, match in enumerate(matches):
        word = match.group()
        previous = (pending or current)[-1] if current else None
        gap_ok = (
            previous is not None
            and not _POSSESSIVE.search(previous.group())
            and re.fullmatch(r"[ \-]", sentence[previous.end() : match.start()]) is not None
        )
        if word[0].isupper() or (word[0].isdigit() and current):
            if current and gap_ok:
                current.extend(pending)
                current.append(match)
            else:
                if current:
                    yield _Run(current, _starts_sentence(sentence, matches, first_index))
                current, first_index = [match], index
            pending = []
        elif current and word.casefold() in _CONNECTORS and gap_ok and not pending:
            pending = [match]
        else:
            if current:
                yield _Run(current, _starts_sentence(sentence, matches, first_index))
            current, pending = [], []
    if current:
        yield _Run(current, _starts_sentence(sentence, matches, first_index))


def _starts_sentence(sentence: str, matches: list[re.Match[str]], index: int) -> bool:
    """The first word, or one after a full stop, colon or quote mark inside the sentence."""
    if index == 0:
        return True
    before = sentence[matches[index - 1].end() : matches[index].start()]
    return re.search(r"[.!?:;\"\u201c]\s*[\"\u201c(]?$", before) is not None


def _covered(sentence: str, start: int, end: int, known: list[Mention]) -> bool:
    """Whether every non-space character of sentence[start:end] lies inside a known mention."""
    return all(
        any(m.start <= i < m.end for m in known) for i in range(start, end) if not sentence[i].isspace()
    )


def capitalised_names(
    sentence: str,
    known: list[Mention],
    vocabulary: frozenset[str],
    names_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """(start, end) of the unknown capitalised names in a sentence (offsets relative to the sentence).

    A one-word name at the start of a sentence is taken only when an appositive follows it ("Jazz, the
    largest mobile operator") or the word is capitalised in mid-sentence elsewhere (`names_elsewhere`).
    Names after a personal title ("Dr. Ayesha Malik") are people, which the format has no type for.
    """
    found: list[tuple[int, int]] = []
    for run in _runs(sentence):
        parts = list(run.words)
        at_start = run.at_start
        if at_start and _leader(parts[0].group()):
            parts, at_start = parts[1:], False
        while parts and parts[0].group().casefold() in _CONNECTORS | _LEADERS:
            parts, at_start = parts[1:], False
        while parts and parts[-1].group().casefold() in _CONNECTORS:
            parts = parts[:-1]
        if not parts:
            continue
        start, end = parts[0].start(), parts[-1].end()
        if possessive := _POSSESSIVE.search(sentence[start:end]):
            end -= len(possessive.group())
        phrase = sentence[start:end]
        if (
            _covered(sentence, start, end, known)
            or lookup_key(phrase) in STOP_PHRASES
            or _PERSONAL_TITLE.search(sentence[:start])
        ):
            continue
        capitals = [p for p in parts if p.group()[0].isupper()]
        if len(capitals) == 1:
            word = capitals[0].group()
            folded = word.casefold().rstrip(".")
            if (
                folded in STOP_WORDS
                or folded in _LEADERS
                or any(w.term in vocabulary for w in words(word))
                or (word.isupper() and len(word) <= 2)
            ):
                continue
            recognised = word in names_elsewhere or lookup_key(phrase) in PLACES
            if at_start and not (_APPOSITIVE.match(sentence, end) or recognised):
                continue
        found.append((start, end))
    return found


def mid_sentence_capitals(sentence: str) -> set[str]:
    """Capitalised words of a sentence that are not its first word (evidence that a word is a name)."""
    matches = list(_CAP_WORD.finditer(sentence))
    return {
        m.group()
        for index, m in enumerate(matches)
        if m.group()[0].isupper() and not _starts_sentence(sentence, matches, index)
    }


def _leader(word: str) -> bool:
    folded = word.casefold()
    return folded in _LEADERS or folded.endswith(("ly", "ing", "ed"))


_ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")


def abbreviation_after(text: str, end: int, name: str) -> str | None:
    """ "PSEB" when "(PSEB)" follows the name and its letters start like the name's capitals."""
    match = _ABBREVIATION.match(text, end)
    if match is None:
        return None
    abbreviation = match.group(1)
    initials = "".join(w[0] for w in name.split() if w[0].isupper())
    if abbreviation.upper() == initials.upper() or abbreviation[0] == name[0]:
        return abbreviation
    return None


class NewEntities:
    """The new names proposed in a document, deduplicated, with slugs and aliases that clash with nothing."""

    def __init__(self, known: Sequence[EntityIn]) -> None:
        self._taken_slugs = {e.slug for e in known}
        self._taken_keys = {lookup_key(name) for e in known for name in (e.name, *e.aliases, e.slug)}
        self._by_key: dict[str, NewEntity] = {}
        self.entities: list[NewEntity] = []

    def add(self, text: str, start: int, end: int) -> NewEntity | None:
        """Record the name at text[start:end]; returns its (possibly already proposed) entity."""
        name = text[start:end]
        key = lookup_key(name)
        if key in self._taken_keys and key not in self._by_key:
            return None
        entity = self._by_key.get(key)
        if entity is None:
            entity_type, why = guess_type(name, text[max(0, start - 12) : start])
            slug = base = slugify(name)
            number = 2
            while slug in self._taken_slugs:
                slug, number = f"{base}-{number}", number + 1
            entity = NewEntity(slug, name, entity_type, reason=f"type from {why}")
            self._taken_slugs.add(slug)
            self._taken_keys.add(key)
            self._by_key[key] = entity
            self.entities.append(entity)
            abbreviation = abbreviation_after(text, end, name)
            if abbreviation is not None and lookup_key(abbreviation) not in self._taken_keys:
                entity.aliases.append(abbreviation)
                self._taken_keys.add(lookup_key(abbreviation))
                self._by_key[lookup_key(abbreviation)] = entity
        entity.mentions.append(Mention(entity.slug, start, end, name))
        return entity
