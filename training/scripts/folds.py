"""Split a DocBin of kg_style abstracts into the folds the specificity classifier is trained
over, so that the NER which proposes its names never saw their gold.

    python scripts/folds.py CORPUS/train/kg_style.spacy OUT [--folds 5] [--heldout-every 10]

For each fold k, ``OUT/fold{k}`` holds the documents of the other folds (index % folds != k):
``train/kg_style.spacy`` and, every ``--heldout-every``-th of them, ``dev.spacy`` for model
selection. ``OUT/all`` holds every document the same way, for the model that ships. The folds
are those of ``scripts/specificity.py``'s cross-validation (document index % folds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.tokens import Doc, DocBin

app = typer.Typer(add_completion=False)


def write(docs: list[Doc], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)


@app.command()
def main(
    corpus: Annotated[Path, typer.Argument(help="kg_style.spacy, every abstract in order")],
    out: Annotated[Path, typer.Argument(help="where fold0 ... fold{N-1} and all go")],
    folds: Annotated[int, typer.Option(help="how many folds")] = 5,
    heldout_every: Annotated[
        int, typer.Option(help="every N-th training document goes to dev.spacy")
    ] = 10,
) -> None:
    docs = list(DocBin().from_disk(corpus).get_docs(spacy.blank("en").vocab))
    for name, fold in [*((f"fold{k}", k) for k in range(folds)), ("all", None)]:
        rest = [doc for i, doc in enumerate(docs) if fold is None or i % folds != fold]
        dev = [doc for j, doc in enumerate(rest) if j % heldout_every == heldout_every - 1]
        train = [doc for j, doc in enumerate(rest) if j % heldout_every != heldout_every - 1]
        write(train, out / name / "train" / "kg_style.spacy")
        write(dev, out / name / "dev.spacy")
        print(f"{out / name}: {len(train)} training, {len(dev)} dev documents")


if __name__ == "__main__":
    app()
