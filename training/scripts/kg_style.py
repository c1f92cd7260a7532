"""Convert the kg_style training set (document-level gold) into spaCy DocBins of entity spans.

``train/kg_style/{abstracts,gold}.jsonl`` annotate each abstract at the document level under
``eval/GUIDELINES.md``: the methods, datasets, tasks and metrics, each once, with its aliases.
Every label and alias is written verbatim in the title or abstract, so the annotation projects
onto spans. This script does that for a tagger trained on the text ``kg build`` reads:

- the text is ``title + "\\n\\n" + abstract`` (``kg.nlp.extract.paper_text``) of the papers as
  ``kg.ingest.read_papers`` cleans them; the gold is matched to the papers by id;
- every name (label or alias) is marked at every occurrence: case-sensitive exact match on word
  boundaries, longest names first, no overlaps; a name given under two labels keeps the label
  listed first (METHOD, DATASET, TASK, METRIC), and the clash is counted;
- spans are aligned to the tokens of the tokenizer the model uses (``--model``) with
  ``alignment_mode="contract"``; an occurrence no whole token fits in is skipped and counted;
- every other token is outside (O): what a model finds elsewhere is a negative. A name written
  in another case ("Large Language Models" in a title, "large language models" in the
  abstract) is outside too by default; ``--other-case missing`` leaves such places without
  annotation (neither rewarded nor punished), ``--other-case entity`` marks them with the label.

Every ``--heldout-every``-th document (index % N == N - 1) goes to ``OUT/dev.spacy`` for model
selection; the rest to ``OUT/train/kg_style.spacy`` (a folder, so other corpora can sit beside it).

    python training/scripts/kg_style.py ../shared/train/kg_style ../train-runs/kg-style-corpus
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from kg.ingest import read_papers
from kg.nlp.corpora import LABELS, GraphGold, read_graph_gold
from kg.nlp.extract import paper_text

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "kg" / "data" / "models" / "ner"

app = typer.Typer(add_completion=False)


@dataclass
class Stats:
    """What the projection kept and dropped, over all documents."""

    entities: Counter[str] = field(default_factory=Counter)
    names_unfound: list[str] = field(default_factory=list)
    names_other_case: int = 0
    label_clashes: list[str] = field(default_factory=list)
    unalignable: list[str] = field(default_factory=list)
    overlapped: int = 0
    missing: int = 0


def names_by_label(gold: GraphGold, stats: Stats) -> list[tuple[str, str]]:
    """(name, label) for every label and alias, longest first; a name keeps its first label."""
    labelled: dict[str, str] = {}
    for label in LABELS:
        for entity in gold[label]:
            for name in entity.names:
                name = name.strip()
                if not name:
                    continue
                if name in labelled and labelled[name] != label:
                    stats.label_clashes.append(f"{name!r}: {labelled[name]} / {label}")
                    continue
                labelled.setdefault(name, label)
    return sorted(labelled.items(), key=lambda item: (-len(item[0]), item[0]))


def occurrences(text: str, name: str, *, ignore_case: bool = False) -> Iterable[re.Match[str]]:
    """The places ``name`` is written in ``text``, not inside a longer word."""
    pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
    return re.finditer(pattern, text, flags=re.IGNORECASE if ignore_case else 0)


def project(
    nlp: Language, text: str, gold: GraphGold, stats: Stats, *, other_case: str = "outside"
) -> Doc:
    """``text`` tokenised by ``nlp``, with every occurrence of a gold name as an entity.

    ``other_case`` says what becomes of a name written in another case ("Large Language
    Models" in the title, "large language models" in the abstract): ``outside`` (like any
    other text), ``missing`` (neither rewarded nor punished) or ``entity`` (the name's label).
    """
    doc = nlp.make_doc(text)
    taken = [False] * len(text)
    spans: list[Span] = []
    missing: list[Span] = []
    for name, label in names_by_label(gold, stats):
        found = False
        for match in occurrences(text, name, ignore_case=True):
            start, end = match.span()
            exact = match.group() == name
            found = found or exact
            if not exact:
                stats.names_other_case += 1
                if other_case == "outside":
                    continue
            if any(taken[start:end]):
                stats.overlapped += exact
                continue
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is None or not span.text:
                if exact:
                    stats.unalignable.append(f"{name!r} in {text[max(0, start - 15) : end + 15]!r}")
                continue
            taken[start:end] = [True] * (end - start)
            (spans if exact or other_case == "entity" else missing).append(span)
        if not found:
            stats.names_unfound.append(name)
    doc.set_ents(sorted(spans), missing=missing, default="outside")
    stats.entities.update(span.label_ for span in spans)
    stats.missing += len(missing)
    return doc


def write(docs: Sequence[Doc], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    counts = Counter(ent.label_ for doc in docs for ent in doc.ents)
    tokens = sum(len(doc) for doc in docs)
    print(f"{path}: {len(docs)} docs, {tokens} tokens, {dict(sorted(counts.items()))}")


@app.command()
def main(
    folder: Annotated[
        Path, typer.Argument(help="the kg_style folder (abstracts.jsonl, gold.jsonl)")
    ],
    out: Annotated[Path, typer.Argument(help="where to write train/kg_style.spacy and dev.spacy")],
    model: Annotated[Path, typer.Option(help="pipeline whose tokenizer is used")] = DEFAULT_MODEL,
    heldout_every: Annotated[
        int, typer.Option(help="every N-th document (index % N == N - 1) goes to dev.spacy")
    ] = 10,
    other_case: Annotated[
        str, typer.Option(help="a name in another case: outside, missing or entity")
    ] = "outside",
    verbose: Annotated[bool, typer.Option(help="list unfound and unalignable names")] = False,
) -> None:
    if other_case not in {"outside", "missing", "entity"}:
        raise typer.BadParameter(f"unknown --other-case {other_case!r}")
    nlp = spacy.load(model)
    gold_by_id = dict(read_graph_gold(folder / "gold.jsonl"))
    papers = list(read_papers([folder / "abstracts.jsonl"]))
    missing = [p.id for p in papers if p.id not in gold_by_id]
    if missing:
        raise typer.BadParameter(f"{len(missing)} papers have no gold record, e.g. {missing[0]}")
    stats = Stats()
    train: list[Doc] = []
    dev: list[Doc] = []
    for index, paper in enumerate(papers):
        doc = project(nlp, paper_text(paper), gold_by_id[paper.id], stats, other_case=other_case)
        (dev if index % heldout_every == heldout_every - 1 else train).append(doc)
    write(train, out / "train" / "kg_style.spacy")
    write(dev, out / "dev.spacy")
    print(
        f"{len(papers)} papers; entity spans {dict(sorted(stats.entities.items()))}; "
        f"names not found {len(stats.names_unfound)}; occurrences in another case "
        f"{stats.names_other_case} ({other_case}; {stats.missing} missing spans); "
        f"label clashes {len(stats.label_clashes)}; "
        f"unalignable {len(stats.unalignable)}; inside a longer name {stats.overlapped}"
    )
    if verbose:
        for title, items in (
            ("not found", stats.names_unfound),
            ("label clashes", stats.label_clashes),
            ("unalignable", stats.unalignable),
        ):
            print(f"\n{title}:")
            for item in items:
                print(f"  {item}")


if __name__ == "__main__":
    app()
