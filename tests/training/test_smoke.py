"""The training workflow end to end on a few documents: convert, a few steps of training, load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from kg.nlp.corpora import LABELS

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "training"

pytestmark = pytest.mark.shared


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, *map(str, args)], cwd=TRAINING, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_convert_and_train_a_few_steps(shared_train: Path, tmp_path: Path):
    corpus = tmp_path / "corpus"
    converted = run(
        "scripts/convert.py", shared_train, corpus, "--limit", "20", "--tdmsci-method", "outside"
    )
    assert "scierc.spacy: 20 docs" in converted.stdout
    assert {p.name for p in (corpus / "train").iterdir()} == {"scierc.spacy", "tdmsci.spacy"}

    output = tmp_path / "training"
    run(
        "-m", "spacy", "train", TRAINING / "configs" / "ner.cfg",
        "--output", output,
        "--paths.train", corpus / "train",
        "--paths.dev", corpus / "dev.spacy",
        "--paths.vectors", "null",
        "--components.tok2vec.model.embed.include_static_vectors", "false",
        "--training.max_steps", "6",
        "--training.eval_frequency", "3",
    )  # fmt: skip
    model = output / "model-last"
    assert (model / "meta.json").is_file()

    nlp = spacy.load(model)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) <= set(LABELS)
    doc = nlp("We fine-tune BERT for named entity recognition on CoNLL-2003 and report F1.")
    assert {ent.label_ for ent in doc.ents} <= set(LABELS)
