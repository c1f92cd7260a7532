"""Canonical entities: many mentions across papers, one node per real method, dataset,
task or metric, with acronyms, variants, families and types resolved over the whole corpus."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention

_LEADING_NOISE = re.compile(
    r"^(?:(?:the|a|an|our|their|its|novel|new|proposed|existing|standard|original|vanilla)\s+)+",
    re.IGNORECASE,
)
_TRAILING_NOISE = re.compile(r"[\s\-](?:based|style|like)$", re.IGNORECASE)
_NON_WORD = re.compile(r"[\s\-_/]+")
_POSSESSIVE = re.compile(r"['’]s?$")
# Quotes and unbalanced brackets that a span picked up from the sentence around it.
_WRAPPING = "\"'“”‘’«»()[]{} "
_PUNCT = re.compile(r"[^\w\s\-/+.]")
# "CIFAR-10/100" and "VoxCeleb1/2": one name with several version numbers.
_VERSION_LIST = re.compile(r"^(?P<base>.*?[A-Za-z][\w\-]*?)(?P<first>\d+)(?P<rest>(?:/\d+)+)$")
# A version or size after a name: "VoxCeleb2", "AudioSet-2M", "GPT-4", "DiT-XL", "wav2vec 2.0".
_VERSION_SUFFIX = re.compile(
    r"^(?P<base>.*?[A-Za-z].*?)[\s\-]?"
    r"(?P<version>v?\d+(?:\.\d+)*[A-Za-z]?|\d+(?:\.\d+)?[KMBTkmbt]|XXL|XL|L|B|S|H|Base|Large|Small|Tiny)$"
)
_VERSION_WORD = re.compile(r"^v?\d+(?:\.\d+)*[A-Za-z]?$")
_MIN_FAMILY_CHARS = 3
# An acronym's undefined uses join a long form only when the corpus agrees on it this much.
_ACRONYM_AGREEMENT = 0.8
#: (papers, confidence): a name in at least that many papers whose mentions are on average
#: less sure than that is a generic phrase, not an entity (:func:`is_generic`). The wider a
#: phrase is spread, the surer the extractor has to be of it.
GENERIC_THRESHOLDS = ((10, 0.65), (3, 0.3))
# A long form names its entity unless its short form is written this many times as often.
_LONG_FORM_RARITY = 10


# Prefixes that are written joined, hyphenated or apart: "pretrained", "pre-trained".
_BOUND_PREFIXES = frozenset(
    "pre post multi semi non co re sub un inter intra bi tri mono uni anti".split()
)
# British spellings the field writes beside American ones: "summarisation", "modelling",
# "human judgements", "behaviour".
_BRITISH = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"^(model|label|travel|cancel|signal|tunnel)ling$"), r"\1ing"),
    (re.compile(r"^judgement(s?)$"), r"judgment\1"),
    (re.compile(r"^(behavi|colo|neighbo|favo|flavo)ur"), r"\1r"),
)


def _american(word: str) -> str:
    """
    >>> [_american(w) for w in ("summarisation", "modelling", "judgements", "neighbours")]
    ['summarization', 'modeling', 'judgments', 'neighbors']
    """
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def _singular(word: str) -> str:
    """A cautious singular: "networks" -> "network", "CNNs" -> "CNN", "Transformers" ->
    "Transformer", not "bias", "loss" or "Atlas"."""
    if len(word) >= 4 and word.endswith("s") and word[:-1].isupper():
        return word[:-1]
    if len(word) > 3 and (word.islower() or (word[0].isupper() and word[1:].islower())):
        if word.endswith("ies") and len(word) > 4 and word.islower():
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is", "ics", "as", "os")):
            return word[:-1]
    return word


def clean_surface(text: str) -> str:
    """A surface form without the words around a name that are not part of it.

    >>> clean_surface("the novel DiT-based")
    'DiT'
    >>> clean_surface("“Edit-and-Ground")
    'Edit-and-Ground'
    """
    text = unicodedata.normalize("NFKC", text).strip()
    text = _POSSESSIVE.sub("", text.strip(_WRAPPING))
    text = _LEADING_NOISE.sub("", text)
    return _TRAILING_NOISE.sub("", text).strip().strip(_WRAPPING)


def canonical_key(text: str) -> str:
    """The key under which surface forms of one entity meet: case, plural, hyphens, spacing,
    leading articles and "-based" folded.

    >>> canonical_key("the Talking-Head  Synthesis")
    'talking head synthesis'
    >>> canonical_key("Convolutional Neural Networks")
    'convolutional neural network'
    >>> canonical_key("pre-trained Transformers") == canonical_key("pretrained transformer")
    True
    """
    text = _PUNCT.sub("", clean_surface(text))
    words: list[str] = []
    for word in _NON_WORD.split(text):
        prefix = words[-1] if words else ""
        if prefix.lower() in _BOUND_PREFIXES and not prefix.isupper() and word.isalpha():
            words[-1] += word.lower()
        elif word:
            words.append(word)
    if not words:
        return ""
    words = [w if any(c.isupper() for c in w[1:]) else _american(w.lower()) for w in words]
    words[-1] = _singular(words[-1])
    # "GPT-4", "GPT 4" and "GPT4" are one name: a version joins the word before it.
    joined: list[str] = []
    for word in words:
        if joined and _VERSION_WORD.match(word) and any(c.isalpha() for c in joined[-1]):
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(w.lower() for w in joined)


# A corpus writes the same names again and again; each is keyed once.
_key_of = functools.lru_cache(maxsize=1 << 17)(canonical_key)


def split_versions(text: str) -> list[str]:
    """Names that one surface form stands for: "CIFAR-10/100" is CIFAR-10 and CIFAR-100.

    >>> split_versions("CIFAR-10/100")
    ['CIFAR-10', 'CIFAR-100']
    >>> split_versions("ImageNet")
    ['ImageNet']
    """
    match = _VERSION_LIST.match(text.strip())
    if not match:
        return [text]
    numbers = [match["first"], *match["rest"].strip("/").split("/")]
    return [f"{match['base']}{n}" for n in numbers]


def family_name(text: str) -> str | None:
    """The name a versioned or sized name belongs to, or None.

    >>> [family_name(t) for t in ("VoxCeleb2", "AudioSet-2M", "GPT-4", "wav2vec 2.0", "BERT")]
    ['VoxCeleb', 'AudioSet', 'GPT', 'wav2vec', None]
    """
    match = _VERSION_SUFFIX.match(text.strip())
    if not match:
        return None
    base = match["base"].rstrip(" -")
    if len(base) < _MIN_FAMILY_CHARS or not any(c.isalpha() for c in base):
        return None
    # A lone lower-case word is a phrase, not a name with a version ("layer 2").
    if base.islower() and " " not in base and not any(c.isdigit() for c in base):
        if not any(c.isupper() for c in text):
            return None
    return base


def is_acronym(text: str) -> bool:
    """Short, upper-case-led names that abbreviations define: "DiT", "HPE", "LVLMs"."""
    stripped = text.strip()
    return (
        2 <= len(stripped) <= 12
        and " " not in stripped
        and stripped[0].isalpha()
        and sum(c.isupper() for c in stripped) >= 2
    )


@dataclass(slots=True)
class Entity:
    """One canonical entity with the surface forms, papers and type votes behind it.

    ``papers`` and ``mention_count`` count the entity's own mentions; ``broader`` is the key of
    the family it belongs to ("voxceleb" for VoxCeleb2), if any.
    """

    key: str
    label: Label = Label.METHOD
    surface_forms: Counter[str] = field(default_factory=Counter)
    long_forms: Counter[str] = field(default_factory=Counter)
    label_votes: defaultdict[Label, float] = field(default_factory=lambda: defaultdict(float))
    papers: set[str] = field(default_factory=set)
    mention_count: int = 0
    broader: str | None = None
    family_name: str | None = None

    @property
    def pref_label(self) -> str:
        """The most frequent long form if the entity is known by an acronym, else the most
        frequent surface form, else the family name; ties go to the longer, then the
        alphabetically first. A long form written far more rarely than the short one (one
        "bidirectional encoder representations from transformers" for 200 "BERT") does not
        name the entity: the corpus knows it by its short form."""
        forms = self.long_forms or self.surface_forms
        if self.long_forms and self.surface_forms:
            defined = sum(self.long_forms.values())
            if defined * _LONG_FORM_RARITY < max(self.surface_forms.values()):
                forms = self.surface_forms
        if not forms:
            return self.family_name or self.key
        return min(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]

    @property
    def alt_labels(self) -> list[str]:
        return sorted(set(self.surface_forms) - {self.pref_label})


@dataclass(slots=True)
class Resolution:
    """Entities of a corpus by key and, for each paper, the entities of each of its mentions
    (a mention such as "CIFAR-10/100" names two)."""

    entities: dict[str, Entity]
    mention_entities: dict[str, list[tuple[Entity, ...]]]

    def narrower(self) -> dict[str, list[Entity]]:
        """Family key -> its members."""
        members: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.entities.values():
            if entity.broader:
                members[entity.broader].append(entity)
        return members

    def paper_ids(self, key: str) -> set[str]:
        """Papers that name the entity or any entity under it."""
        papers = set(self.entities[key].papers)
        for member in self.narrower().get(key, []):
            papers |= member.papers
        return papers


def acronym_table(records: Iterable[tuple[Paper, Sequence[Mention]]]) -> dict[str, Counter[str]]:
    """For each acronym key, how often each long-form key defines it across the corpus."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for _, mentions in records:
        seen: set[tuple[str, str]] = set()
        for mention in mentions:
            if mention.long_form:
                pair = (_key_of(mention.text), _key_of(mention.long_form))
                if pair not in seen:
                    seen.add(pair)
                    table[pair[0]][pair[1]] += 1
    return dict(table)


def _keys_for(mention: Mention, acronyms: dict[str, Counter[str]]) -> list[tuple[str, str]]:
    """(key, surface) pairs a mention resolves to, before families and type votes.

    A defined acronym goes with its long form. An acronym used without definition joins the
    long form the corpus agrees on; with rival long forms (an ambiguous acronym) it stays apart.
    """
    if mention.long_form:
        return [(_key_of(mention.long_form), clean_surface(mention.text))]
    surface = clean_surface(mention.text)
    pairs = []
    for name in split_versions(surface):
        key = _key_of(name)
        definitions = acronyms.get(key)
        if definitions and is_acronym(name):
            long_key, count = definitions.most_common(1)[0]
            if count / sum(definitions.values()) >= _ACRONYM_AGREEMENT:
                key = long_key
        pairs.append((key, name))
    return pairs


def resolve(records: Iterable[tuple[Paper, Sequence[Mention]]]) -> Resolution:
    """Group the mentions of all papers into entities, resolve their types by vote and put
    versioned names under their families."""
    # Two passes: a collection (the build's streamed analyses) is read twice, not copied.
    if not isinstance(records, Collection):
        records = list(records)
    acronyms = acronym_table(records)
    entities: dict[str, Entity] = {}
    per_paper: dict[str, list[tuple[Entity, ...]]] = {}
    for paper, mentions in records:
        resolved: list[tuple[Entity, ...]] = []
        for mention in mentions:
            targets = []
            for key, surface in _keys_for(mention, acronyms):
                if not key:
                    continue
                entity = entities.get(key)
                if entity is None:
                    entity = entities[key] = Entity(key=key)
                entity.surface_forms[surface] += 1
                if mention.long_form:
                    entity.long_forms[mention.long_form] += 1
                    entity.surface_forms[mention.long_form] += 0
                entity.label_votes[mention.label] += mention.confidence
                entity.papers.add(paper.id)
                entity.mention_count += 1
                targets.append(entity)
            resolved.append(tuple(targets))
        per_paper[paper.id] = resolved
    for entity in entities.values():
        entity.label = _winning_label(entity.label_votes)
    merged = _named_kinds(entities)
    if merged:
        for key, target in merged.items():
            _absorb(entities[target], entities.pop(key))
        per_paper = {
            paper: [
                tuple(entities[merged.get(e.key, e.key)] for e in targets) for targets in resolved
            ]
            for paper, resolved in per_paper.items()
        }
    generic = {key for key, entity in entities.items() if is_generic(entity)}
    if generic:
        for key in generic:
            del entities[key]
        per_paper = {
            paper: [tuple(e for e in targets if e.key not in generic) for targets in resolved]
            for paper, resolved in per_paper.items()
        }
    _assign_families(entities)
    return Resolution(entities=entities, mention_entities=per_paper)


# Words that, after a name, say what kind of thing it is: "Transformer models", "BERT model".
_KIND_WORDS = frozenset({"model", "architecture", "framework", "algorithm", "network"})


def _named_kinds(entities: Mapping[str, Entity]) -> dict[str, str]:
    """Keys of the form "<name> <kind word>" whose name is itself a method entity written
    as a name: "Transformer models" and "the BERT model" are Transformer and BERT.
    A lower-case phrase ("language model", "diffusion model") keeps its kind word."""
    merged = {}
    for key, entity in entities.items():
        head, _, kind = key.rpartition(" ")
        if kind not in _KIND_WORDS or not head:
            continue
        name = entities.get(head)
        if name is None or name.label != Label.METHOD or entity.label != Label.METHOD:
            continue
        surface = name.surface_forms.most_common(1)[0][0] if name.surface_forms else ""
        if any(c.isupper() for c in surface):
            merged[key] = head
    for key, head in merged.items():
        while head in merged:
            head = merged[head]
        merged[key] = head
    return merged


def _absorb(target: Entity, other: Entity) -> None:
    """Move ``other``'s evidence into ``target``; its forms become alternative labels."""
    for form in other.surface_forms:
        target.surface_forms[form] += 0
    target.long_forms.update(other.long_forms)
    for label, votes in other.label_votes.items():
        target.label_votes[label] += votes
    target.papers |= other.papers
    target.mention_count += other.mention_count


def is_generic(entity: Entity) -> bool:
    """Whether a name spread over several papers is one the extractor doubts wherever it
    meets it: a bare umbrella or component phrase ("neural networks", "classification
    tasks", "attention layers"), not a name. Such an entity gets no node, link or count."""
    if not entity.mention_count:
        return False
    mean_confidence = sum(entity.label_votes.values()) / entity.mention_count
    return any(
        len(entity.papers) >= spread and mean_confidence < confidence
        for spread, confidence in GENERIC_THRESHOLDS
    )


def _winning_label(votes: Mapping[Label, float]) -> Label:
    """The type with most confidence summed over mentions; ties in a fixed order."""
    order = list(Label)
    return max(votes, key=lambda label: (votes[label], -order.index(label)))


def _assign_families(entities: dict[str, Entity]) -> None:
    """Put "VoxCeleb1" and "VoxCeleb2" under "VoxCeleb": a family node exists when the bare
    name is itself an entity of the same type or when two or more versions share it."""
    candidates: dict[tuple[str, Label], list[Entity]] = defaultdict(list)
    names: dict[tuple[str, Label], Counter[str]] = defaultdict(Counter)
    for entity in list(entities.values()):
        if entity.label not in (Label.DATASET, Label.METHOD):
            continue
        base = family_name(entity.pref_label)
        if base is None:
            continue
        family_key = canonical_key(base)
        if not family_key or family_key == entity.key:
            continue
        candidates[(family_key, entity.label)].append(entity)
        names[(family_key, entity.label)][base] += 1
    for (family_key, label), members in candidates.items():
        existing = entities.get(family_key)
        if existing is not None and existing.label != label:
            # The family and its versions are one thing: the larger body of evidence decides.
            member_votes = sum(m.label_votes[label] for m in members)
            if member_votes <= sum(existing.label_votes.values()):
                continue
            existing.label = label
        if existing is None and len(members) < 2:
            continue
        if existing is None:
            existing = entities[family_key] = Entity(
                key=family_key,
                label=label,
                family_name=names[(family_key, label)].most_common(1)[0][0],
            )
        for member in members:
            member.broader = family_key
