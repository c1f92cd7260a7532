"""Copy a trained pipeline into the package: only what spacy.load needs, with a meta.json
naming it paperkg_ner and carrying its labels and scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.pipeline import EntityRecognizer

app = typer.Typer(add_completion=False)

NAME = "paperkg_ner"
SOURCES = [
    {"name": "SciERC", "author": "Luan et al. 2018", "url": "http://nlp.cs.washington.edu/sciIE/"},
    {
        "name": "TDMSci (90%, every 10th sentence held out; METHOD filled from a SciERC model)",
        "author": "Hou et al. 2021",
        "url": "https://github.com/IBM/science-result-extractor",
        "license": "Apache-2.0",
    },
    {
        "name": "3,000 ML/NLP abstracts labelled by a fine-tuned all-MiniLM-L6-v2 tagger "
        "(silver data; the abstracts are not in the package)",
    },
]


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@app.command()
def main(
    model: Annotated[Path, typer.Argument(help="a trained pipeline (e.g. training/model-best)")],
    out: Annotated[Path, typer.Argument(help="where the packaged pipeline goes")],
    scores: Annotated[
        Path | None, typer.Option(help="JSON written by benchmarks/quality.py")
    ] = None,
    version: Annotated[str, typer.Option(help="the model's version")] = "0.1.0",
) -> None:
    nlp = spacy.load(model)
    nlp.meta.update(
        name=NAME,
        version=version,
        description="METHOD, DATASET, TASK and METRIC mentions in ML/NLP paper abstracts "
        "(tok2vec + ner trained from a blank English pipeline on gold and distilled silver data)",
        license="MIT",
        sources=SOURCES,
    )
    ner = nlp.get_pipe("ner")
    assert isinstance(ner, EntityRecognizer), f"{model} has no trained ner"
    nlp.meta["labels"] = {"ner": list(ner.labels)}
    if scores is not None:
        nlp.meta["paperkg_scores"] = json.loads(scores.read_text())
    # Training paths name one machine's folders; the vectors already live in vocab/.
    for key in ("train", "dev", "vectors", "init_tok2vec"):
        nlp.config["paths"][key] = None
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    loaded = spacy.load(out)
    labels = sorted(loaded.get_pipe("ner").labels)  # type: ignore[attr-defined]
    print(f"{out}: {directory_size(out) / 1e6:.1f} MB, pipes {loaded.pipe_names}, labels {labels}")


if __name__ == "__main__":
    app()
