"""Convert SciERC, TDMSci and SemEval-2017 into spaCy DocBins with paperkg's four labels.

Training files go to OUT/train/ (spaCy reads every .spacy file there), dev and held-out to OUT/.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from kg.nlp.corpora import (
    LABELS,
    GoldDoc,
    read_scierc,
    read_semeval,
    read_tdmsci,
    split_tdmsci,
)

app = typer.Typer(add_completion=False)


def to_doc(nlp: Language, gold: GoldDoc, *, outside_unannotated: bool = True) -> Doc:
    """A Doc tokenised as at prediction time, with the gold spans as entities.

    Tokens in ``gold.unknown`` get missing annotation, so the model is neither rewarded nor
    punished there; with ``outside_unannotated`` False every token outside a gold span does.
    """
    doc = nlp.make_doc(gold.text)
    spans = [
        doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand") for s in gold.spans
    ]
    # SciERC nests a few mentions; the longest one wins, as a flat tagger can keep only one.
    entities = filter_spans([s for s in spans if s is not None])
    covered = {i for span in entities for i in range(span.start, span.end)}
    missing: list[Span] = []
    for start, end in gold.unknown:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and not covered.intersection(range(span.start, span.end)):
            missing.append(span)
    doc.set_ents(entities, missing=missing, default="outside" if outside_unannotated else "missing")
    return doc


def add_silver(doc: Doc, model: Language, label: str) -> Doc:
    """Add ``model``'s ``label`` predictions that do not touch a gold entity."""
    predicted = model(doc.text)
    taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    extra = []
    for ent in predicted.ents:
        span = doc.char_span(ent.start_char, ent.end_char, label=label, alignment_mode="expand")
        if ent.label_ == label and span is not None:
            if not taken.intersection(range(span.start, span.end)):
                extra.append(span)
                taken.update(range(span.start, span.end))
    doc.set_ents(extra, default="unmodified")
    return doc


def write(docs: Iterable[Doc], path: Path) -> None:
    docs = list(docs)
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    counts = Counter(ent.label_ for doc in docs for ent in doc.ents)
    missing = sum(1 for doc in docs for token in doc if token.ent_iob == 0)
    tokens = sum(len(doc) for doc in docs)
    print(f"{path}: {len(docs)} docs, {dict(sorted(counts.items()))}, {missing}/{tokens} missing")


@app.command()
def main(
    shared: Annotated[Path, typer.Argument(help="the shared train/ folder (scierc/, tdmsci/ ...)")],
    out: Annotated[Path, typer.Argument(help="where to write train/*.spacy, dev.spacy, heldout")],
    material: Annotated[
        str, typer.Option(help="SciERC Material: name, name-outside, all, none")
    ] = "name",
    tdmsci_method: Annotated[
        str,
        typer.Option(
            help="TDMSci tokens outside its entities: silver (METHOD from --silver-model, "
            "the rest outside), outside, missing; none leaves TDMSci out of train/"
        ),
    ] = "silver",
    silver_model: Annotated[
        Path | None, typer.Option(help="model whose METHODs fill TDMSci")
    ] = None,
    semeval: Annotated[
        str, typer.Option(help="SemEval types to add, e.g. Task or Task,Process")
    ] = "",
    limit: Annotated[
        int, typer.Option(help="keep only the first N docs of each corpus (for tests)")
    ] = 0,
) -> None:
    nlp = spacy.blank("en")

    def head(docs: Iterable[GoldDoc]) -> list[GoldDoc]:
        docs = list(docs)
        return docs[:limit] if limit else docs

    scierc = shared / "scierc"
    write(
        (
            to_doc(nlp, d)
            for d in head(read_scierc(scierc / "train.unified.jsonl", material=material))
        ),
        out / "train" / "scierc.spacy",
    )
    write(
        (
            to_doc(nlp, d)
            for d in head(read_scierc(scierc / "dev.unified.jsonl", material=material))
        ),
        out / "dev.spacy",
    )

    train, heldout = split_tdmsci(read_tdmsci(shared / "tdmsci" / "train_1500_v2.conll"))
    if tdmsci_method == "silver":
        if silver_model is None:
            raise typer.BadParameter("--tdmsci-method silver needs --silver-model")
        model = spacy.load(silver_model)
        tdmsci = [add_silver(to_doc(nlp, d), model, "METHOD") for d in head(train)]
    elif tdmsci_method in {"outside", "missing"}:
        outside = tdmsci_method == "outside"
        tdmsci = [to_doc(nlp, d, outside_unannotated=outside) for d in head(train)]
    elif tdmsci_method == "none":
        tdmsci = []
    else:
        raise typer.BadParameter(f"unknown --tdmsci-method {tdmsci_method!r}")
    if tdmsci:
        write(tdmsci, out / "train" / "tdmsci.spacy")
    write((to_doc(nlp, d) for d in head(heldout)), out / "tdmsci-heldout.spacy")

    if semeval:
        types = {name: {"Task": "TASK", "Process": "METHOD", "Material": "DATASET"}[name]
                 for name in semeval.split(",")}  # fmt: skip
        docs = head(read_semeval(shared / "semeval2017" / "train.txt", types=types))
        # SemEval annotates no METRIC or DATASET: only its own labels are trusted outside.
        write(
            (to_doc(nlp, d, outside_unannotated=set(types.values()) >= set(LABELS)) for d in docs),
            out / "train" / "semeval.spacy",
        )


if __name__ == "__main__":
    app()
