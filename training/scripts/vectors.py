"""Train floret subword vectors on paper abstracts and turn them into a spaCy vectors model.

Floret keeps a fixed table of hashed n-gram rows, so unseen method names still get a vector.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy.tokenizer import Tokenizer

app = typer.Typer(add_completion=False)


@app.command()
def main(
    abstracts: Annotated[
        Path, typer.Argument(help="JSON lines with an 'abstract' (or 'text') field")
    ],
    out: Annotated[Path, typer.Argument(help="working folder; the spaCy vectors go to OUT/model")],
    dim: Annotated[int, typer.Option(help="vector width")] = 100,
    buckets: Annotated[int, typer.Option(help="rows of the hashed n-gram table")] = 50000,
    epochs: Annotated[int, typer.Option(help="passes over the abstracts")] = 5,
    threads: Annotated[int, typer.Option(help="training threads")] = 1,
) -> None:
    try:
        import floret
    except ImportError as err:
        raise SystemExit("floret is needed for vectors: pip install floret") from err

    out.mkdir(parents=True, exist_ok=True)
    text = out / "abstracts.txt"
    nlp = spacy.blank("en")
    with abstracts.open(encoding="utf-8") as lines, text.open("w", encoding="utf-8") as sink:
        records = (json.loads(line) for line in lines)
        texts = (r.get("abstract") or r.get("text") or "" for r in records)
        # Tokenise as the pipeline will, so the vectors' keys are the tokens it looks up.
        tokenizer: Tokenizer = nlp.tokenizer  # type: ignore[assignment]
        for doc in tokenizer.pipe(t for t in texts if t.strip()):
            sink.write(" ".join(t.text for t in doc if not t.is_space) + "\n")

    model = floret.train_unsupervised(
        str(text), model="cbow", mode="floret", hashCount=2, bucket=buckets,
        minn=3, maxn=5, minCount=2, dim=dim, epoch=epochs, thread=threads,
    )  # fmt: skip
    table = out / "vectors.floret"
    model.save_floret_vectors(str(table))
    model_dir = out / "model"
    command = [sys.executable, "-m", "spacy", "init", "vectors", "en", str(table), str(model_dir),
               "--mode", "floret"]  # fmt: skip
    subprocess.run(command, check=True)
    print(f"vectors: {out / 'model'} ({buckets} x {dim})")


if __name__ == "__main__":
    app()
