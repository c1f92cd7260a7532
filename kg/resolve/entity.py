"""Canonical entities: many mentions across papers, one node per real method, dataset,
task or metric."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention

_LEADING_NOISE = re.compile(r"^(?:the|a|an|our|novel|new|proposed)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\s\-_/]+")
_PUNCT = re.compile(r"[^\w\s\-/+.]")


def _singular(word: str) -> str:
    """A cautious singular: "networks" -> "network", "CNNs" -> "CNN", not "bias" or "loss"."""
    if len(word) >= 4 and word.endswith("s") and word[:-1].isupper():
        return word[:-1]
    if len(word) > 3 and word.islower():
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
            return word[:-1]
    return word


def canonical_key(text: str) -> str:
    """The key under which surface forms of one entity meet: case, plural, hyphens, spacing and
    leading articles folded.

    >>> canonical_key("the Talking-Head  Synthesis")
    'talking head synthesis'
    >>> canonical_key("Convolutional Neural Networks")
    'convolutional neural network'
    """
    text = unicodedata.normalize("NFKC", text).strip()
    text = _LEADING_NOISE.sub("", text)
    text = _PUNCT.sub("", text)
    words = [w for w in _NON_WORD.split(text) if w]
    if not words:
        return ""
    words = [w if any(c.isupper() for c in w[1:]) else w.lower() for w in words]
    words[-1] = _singular(words[-1])
    return " ".join(w.lower() for w in words)


@dataclass(slots=True)
class Entity:
    """One canonical entity with the surface forms and papers that name it."""

    key: str
    label: Label
    surface_forms: Counter[str] = field(default_factory=Counter)
    papers: set[str] = field(default_factory=set)
    mention_count: int = 0
    long_forms: Counter[str] = field(default_factory=Counter)

    @property
    def pref_label(self) -> str:
        """The most frequent long form if the entity is known by an acronym, else the most
        frequent surface form; ties go to the longer, then the alphabetically first."""
        forms = self.long_forms or self.surface_forms
        return min(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]

    @property
    def alt_labels(self) -> list[str]:
        return sorted(set(self.surface_forms) - {self.pref_label})


def mention_key(mention: Mention) -> tuple[str, Label]:
    """Where a mention belongs: an acronym with a definition in the same paper goes with its
    long form (DiT -> Diffusion Transformer)."""
    return canonical_key(mention.long_form or mention.text), mention.label


@dataclass(slots=True)
class Resolution:
    """Entities of a corpus and, for each paper, the entity of each of its mentions."""

    entities: dict[tuple[str, Label], Entity]
    mention_entities: dict[str, list[Entity | None]]


def resolve(records: Iterable[tuple[Paper, list[Mention]]]) -> Resolution:
    """Group mentions of all papers into entities."""
    entities: dict[tuple[str, Label], Entity] = {}
    per_paper: dict[str, list[Entity | None]] = defaultdict(list)
    for paper, mentions in records:
        for mention in mentions:
            key = mention_key(mention)
            if not key[0]:
                per_paper[paper.id].append(None)
                continue
            entity = entities.get(key)
            if entity is None:
                entity = entities[key] = Entity(key=key[0], label=key[1])
            entity.surface_forms[mention.text] += 1
            if mention.long_form:
                entity.long_forms[mention.long_form] += 1
                entity.surface_forms[mention.long_form] += 0
            entity.papers.add(paper.id)
            entity.mention_count += 1
            per_paper[paper.id].append(entity)
    return Resolution(entities=entities, mention_entities=dict(per_paper))
