"""Label unannotated abstracts with one or more teacher taggers, as silver training data for a
smaller, faster student (knowledge distillation).

With one teacher its spans are the entities and every other token is outside. With two or
more, a span is an entity only when every teacher predicts it with the same bounds and label;
the tokens of the spans they disagree on are *missing* (no loss either way) and the rest is
outside. Abstracts that share a run of eight words with SciERC dev or the held-out TDMSci slice
are skipped, so no evaluation text reaches training.

A teacher is a spaCy pipeline directory or a directory of transformer weights written by
``train_transformer.py`` (it holds ``weights.safetensors``).

    python scripts/teach.py ../../shared/corpora/ml_nlp_abstracts.jsonl ../../shared/train \\
        silver.spacy --teacher ../../train-runs/transformer --teacher ../../train-runs/model \\
        --limit 3000
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from kg.nlp.corpora import read_scierc, read_tdmsci, split_tdmsci

app = typer.Typer(add_completion=False)

SHINGLE_WORDS = 8
# A span of a teacher's prediction: character start, character end, label.
CharSpan = tuple[int, int, str]

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[str]:
    """Every run of ``n`` consecutive words of ``text``, lowercased.

    >>> sorted(shingles("A b, C d", n=3))
    ['a b c', 'b c d']
    """
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def evaluation_shingles(shared_train: Path) -> set[str]:
    """The word runs of SciERC dev and of the held-out TDMSci slice."""
    held: set[str] = set()
    for doc in read_scierc(shared_train / "scierc" / "dev.unified.jsonl"):
        held |= shingles(doc.text)
    _, heldout = split_tdmsci(read_tdmsci(shared_train / "tdmsci" / "train_1500_v2.conll"))
    for doc in heldout:
        held |= shingles(doc.text)
    return held


def read_texts(path: Path) -> Iterator[str]:
    """The non-empty ``abstract`` (or ``text``) fields of a JSON-lines file."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise typer.BadParameter(f"{path}, line {number}: not JSON ({err.msg})") from err
            text = record.get("abstract") or record.get("text") or ""
            if text.strip():
                yield text


def pick(texts: Iterable[str], held: set[str], *, limit: int, seed: int) -> list[str]:
    """Texts sharing no word run with ``held``, shuffled with ``seed``, the first ``limit``
    of them (all when ``limit`` is 0)."""
    kept = [text for text in texts if not shingles(text) & held]
    random.Random(seed).shuffle(kept)
    return kept[:limit] if limit else kept


def load_teacher(path: Path) -> Language:
    if (path / "weights.safetensors").is_file():
        from transformer_ner import transformer_pipeline

        return transformer_pipeline(path)
    return spacy.load(path)


def silver_doc(doc: Doc, predictions: Sequence[set[CharSpan]]) -> Doc:
    """``doc`` with the spans every teacher predicts as entities, the tokens of the other
    predicted spans missing and the rest outside.

    >>> nlp = spacy.blank("en")
    >>> doc = silver_doc(nlp("BERT on SQuAD"), [{(0, 4, "METHOD"), (8, 13, "DATASET")},
    ...                                         {(0, 4, "METHOD"), (8, 13, "METRIC")}])
    >>> [(t.text, t.ent_iob_, t.ent_type_) for t in doc]
    [('BERT', 'B', 'METHOD'), ('on', 'O', ''), ('SQuAD', '', '')]
    """
    agreed = set.intersection(*predictions)
    entities = filter_spans(
        span
        for start, end, label in sorted(agreed)
        if (span := doc.char_span(start, end, label=label, alignment_mode="expand")) is not None
    )
    taken = {i for span in entities for i in range(span.start, span.end)}
    disputed: list[Span] = []
    for start, end, _ in set.union(*predictions) - agreed:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and not taken.intersection(range(span.start, span.end)):
            disputed.append(span)
    doc.set_ents(entities, missing=filter_spans(disputed), default="outside")
    return doc


def char_spans(doc: Doc) -> set[CharSpan]:
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}


@app.command()
def main(
    abstracts: Annotated[Path, typer.Argument(help="JSON lines with an 'abstract' field")],
    shared_train: Annotated[
        Path, typer.Argument(help="the shared train/ folder, for the text to keep out")
    ],
    out: Annotated[Path, typer.Argument(help="the DocBin to write")],
    teacher: Annotated[
        list[Path], typer.Option(help="a spaCy pipeline or transformer weights; repeatable")
    ],
    limit: Annotated[int, typer.Option(help="label this many abstracts (0: all)")] = 0,
    seed: Annotated[int, typer.Option(help="seed of the shuffle that picks the abstracts")] = 0,
) -> None:
    texts = pick(read_texts(abstracts), evaluation_shingles(shared_train), limit=limit, seed=seed)
    teachers = [load_teacher(path) for path in teacher]
    predictions = [[char_spans(doc) for doc in nlp.pipe(texts, batch_size=32)] for nlp in teachers]
    blank = spacy.blank("en")
    docs = [
        silver_doc(blank.make_doc(text), [spans[i] for spans in predictions])
        for i, text in enumerate(texts)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(out)
    entities = sum(len(doc.ents) for doc in docs)
    missing = sum(1 for doc in docs for token in doc if token.ent_iob == 0)
    tokens = sum(len(doc) for doc in docs)
    print(f"{out}: {len(docs)} docs, {entities} entities, {missing}/{tokens} missing")


if __name__ == "__main__":
    app()
