"""Readers for the annotated corpora the NER model learns from, mapped onto paperkg's labels.

One place decides how SciERC, TDMSci and SemEval-2017 types become METHOD/DATASET/TASK/METRIC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.nlp.mention import Label

LABELS: tuple[str, ...] = tuple(label.value for label in Label)

SCIERC_TYPES: dict[str, str] = {"Task": "TASK", "Method": "METHOD", "Metric": "METRIC"}
TDMSCI_TYPES: dict[str, str] = {"TASK": "TASK", "DATASET": "DATASET", "METRIC": "METRIC"}
# SemEval's Process mixes methods with physical processes ("thermalization"), so only its
# Task type is taken as it is; see training/README.md for what mapping Process did.
SEMEVAL_TYPES: dict[str, str] = {"Task": "TASK", "Process": "METHOD"}

# Every 10th TDMSci sentence (index % 10 == 9) is held out for evaluation and never trained on.
TDMSCI_HELDOUT_EVERY = 10

_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "}", "%", "'s", "n't", "?", "!"}
_NO_SPACE_AFTER = {"(", "[", "{"}
_DATASET_HEADS = {
    "corpus", "corpora", "dataset", "datasets", "data set", "data sets", "benchmark",
    "benchmarks", "treebank", "treebanks", "database", "challenge",
}  # fmt: skip
# A capitalised language or script name is a resource type, not a named data set.
_LANGUAGES = {
    "english", "japanese", "chinese", "korean", "czech", "german", "french", "spanish",
    "arabic", "italian", "russian", "dutch", "hindi", "turkish", "swedish", "portuguese",
    "mandarin", "cantonese", "finnish", "greek", "hebrew", "polish", "urdu", "bengali",
    "vietnamese", "thai", "indonesian", "persian", "basque", "catalan", "danish",
    "bulgarian", "slovak", "slovenian", "romanian", "hungarian", "estonian", "latin",
}  # fmt: skip
# A name token has an inner capital or a digit ("WordNet", "UCF101", "MUC-6", "PDTB").
_NAME_TOKEN = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*|\w*\d\w*)$")
_TITLE_TOKEN = re.compile(r"^[A-Z][a-z'’]+s?$")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A gold mention: character offsets into its document's text and a paperkg label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """An annotated text. ``unknown`` holds character ranges whose label is not known
    (e.g. a SciERC Material that is not a named data set), and ``labels`` the labels the
    source annotates at all (TDMSci has no METHOD), so scoring can leave the rest out."""

    key: str
    text: str
    spans: tuple[GoldSpan, ...]
    unknown: tuple[tuple[int, int], ...] = ()
    labels: frozenset[str] = field(default_factory=lambda: frozenset(LABELS))


def is_dataset_name(text: str) -> bool:
    """Whether a SciERC Material looks like a named data set rather than a kind of material.

    >>> is_dataset_name("Wall Street Journal treebank"), is_dataset_name("ImageCLEF")
    (True, True)
    >>> is_dataset_name("Japanese text"), is_dataset_name("images"), is_dataset_name("English")
    (False, False, False)
    """
    lowered = text.lower().strip()
    if any(lowered.endswith(" " + head) or lowered == head for head in _DATASET_HEADS):
        return True
    words = [w for w in re.split(r"[\s()]+", text) if w and w.lower() not in _LANGUAGES]
    if any(_NAME_TOKEN.match(w) for w in words):
        return True
    # One capitalised word ("Emotions", "Multimedia answers") is a common noun or a sentence
    # start; two or more ("Canadian Hansards", "Google Video") read as a name.
    return sum(bool(_TITLE_TOKEN.match(w)) for w in words) >= 2


def detokenize(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join PTB-style tokens into plain text, returning the text and each token's offsets.

    >>> detokenize(["a", "-LRB-", "b", "-RRB-", ",", "c"])
    ('a (b), c', [(0, 1), (2, 3), (3, 4), (4, 5), (5, 6), (7, 8)])
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    cursor = 0
    previous = ""
    for raw in tokens:
        token = _BRACKETS.get(raw, raw)
        if parts and token not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
            parts.append(" ")
            cursor += 1
        offsets.append((cursor, cursor + len(token)))
        parts.append(token)
        cursor += len(token)
        previous = token
    return "".join(parts), offsets


def read_scierc(path: Path, *, material: str = "name") -> Iterator[GoldDoc]:
    """SciERC abstracts from a ``*.unified.jsonl`` file.

    ``material`` says what a Material mention becomes: ``name`` DATASET when
    :func:`is_dataset_name` holds and unknown otherwise, ``name-outside`` the same but
    non-names count as outside any entity, ``all`` always DATASET, ``none`` unknown.
    """
    if material not in {"name", "name-outside", "all", "none"}:
        raise ValueError(f"unknown Material mapping {material!r}")
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text, offsets = detokenize(record["text"].split(" "))
            spans: list[GoldSpan] = []
            unknown: list[tuple[int, int]] = []
            for mention in record["mentions"]:
                start = offsets[mention["tok_start"]][0]
                end = offsets[mention["tok_end"] - 1][1]
                kind = mention["type"]
                if kind in SCIERC_TYPES:
                    spans.append(GoldSpan(start, end, SCIERC_TYPES[kind]))
                elif kind == "Material":
                    if material == "all" or (
                        material != "none" and is_dataset_name(text[start:end])
                    ):
                        spans.append(GoldSpan(start, end, "DATASET"))
                    elif material != "name-outside":
                        unknown.append((start, end))
            yield GoldDoc(record["doc_key"], text, tuple(spans), tuple(unknown))


def _bio_spans(
    rows: Sequence[tuple[str, int, str]], types: dict[str, str]
) -> tuple[str, tuple[GoldSpan, ...]]:
    """Text and spans of one CoNLL sentence whose rows are (token, char offset, BIO tag)."""
    base = rows[0][1]
    text = ""
    bounds: list[tuple[int, int]] = []
    for token, offset, _ in rows:
        # Offsets run on across the whole file; a gap between tokens is a space.
        start = offset - base
        if start < len(text):  # offsets that go backwards: keep the tokens apart
            start = len(text) + 1
        text = text + " " * (start - len(text)) + token
        bounds.append((start, len(text)))
    spans: list[GoldSpan] = []
    current: list[int] | None = None
    label = ""
    for i, (_, _, tag) in enumerate(rows):
        inside = tag.startswith("I-") and current is not None and tag[2:] == label
        if inside and current is not None:
            current[1] = i
            continue
        if current is not None and label in types:
            spans.append(GoldSpan(bounds[current[0]][0], bounds[current[1]][1], types[label]))
        current, label = ([i, i], tag[2:]) if tag[:2] in {"B-", "I-"} else (None, "")
    if current is not None and label in types:
        spans.append(GoldSpan(bounds[current[0]][0], bounds[current[1]][1], types[label]))
    return text, tuple(spans)


def read_tdmsci(path: Path) -> Iterator[GoldDoc]:
    """TDMSci sentences (token, offset, BIO tag); they annotate no METHOD."""
    rows: list[tuple[str, int, str]] = []
    index = 0
    with path.open(encoding="utf-8") as lines:
        for line in [*lines, "\n"]:
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 3:
                rows.append((cells[0], int(cells[1]), cells[2]))
                continue
            if rows:
                text, spans = _bio_spans(rows, TDMSCI_TYPES)
                yield GoldDoc(
                    f"tdmsci-{index}", text, spans, labels=frozenset(TDMSCI_TYPES.values())
                )
                index += 1
                rows = []


def split_tdmsci(docs: Iterable[GoldDoc]) -> tuple[list[GoldDoc], list[GoldDoc]]:
    """The training part and the held-out part (every 10th sentence) of TDMSci."""
    train: list[GoldDoc] = []
    heldout: list[GoldDoc] = []
    for i, doc in enumerate(docs):
        (heldout if i % TDMSCI_HELDOUT_EVERY == TDMSCI_HELDOUT_EVERY - 1 else train).append(doc)
    return train, heldout


def read_semeval(path: Path, *, types: dict[str, str] | None = None) -> Iterator[GoldDoc]:
    """SemEval-2017 Task 10 paragraphs (token, ``start,end``, ignored, BIO tag)."""
    mapping = SEMEVAL_TYPES if types is None else types
    rows: list[tuple[str, int, str]] = []
    key = "semeval"
    index = 0

    def flush() -> Iterator[GoldDoc]:
        nonlocal index
        if rows:
            text, spans = _bio_spans(rows, mapping)
            index += 1
            yield GoldDoc(f"{key}-{index}", text, spans, labels=frozenset(mapping.values()))
            rows.clear()

    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("-DOCSTART-"):
                yield from flush()
                key = line.split("(", 1)[-1].rstrip(")\n ")
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 4:
                rows.append((cells[0], int(cells[1].split(",")[0]), cells[3]))
        yield from flush()


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """One entity of a document-level gold record: its label as the text writes it, the
    other names the text gives it, and whether the paper proposes it (methods only)."""

    label: str
    aliases: tuple[str, ...] = ()
    proposed: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


GraphGold = dict[str, list[GoldEntity]]
"""A document's gold entities by paperkg label."""


def read_graph_gold(path: Path) -> Iterator[tuple[str, GraphGold]]:
    """(paper id, entities by label) for each record of a document-level gold file in the
    format of ``eval/GUIDELINES.md`` (``method``, ``dataset``, ``task``, ``metric`` lists of
    ``{label, aliases, proposed}``).

    A record that is not JSON, or whose entities lack a ``label``, raises ``ValueError``
    naming the file and line.
    """
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                gold: GraphGold = {
                    label: [
                        GoldEntity(
                            item["label"],
                            tuple(item.get("aliases") or ()),
                            bool(item.get("proposed", False)),
                        )
                        for item in record.get(label.lower()) or ()
                    ]
                    for label in LABELS
                }
                yield str(record["id"]), gold
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(
                    f"{path}, line {number}: not a gold record ({err}); each line is a JSON "
                    "object with an id and method/dataset/task/metric lists of labels"
                ) from err
