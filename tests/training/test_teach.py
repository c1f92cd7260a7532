"""Silver data from teacher taggers: agreement of teachers, held-out text kept out, and the
script end to end with the packaged model as teacher."""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from kg.nlp.pipeline import model_path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "training" / "scripts"
sys.path.insert(0, str(SCRIPTS))
import teach  # noqa: E402
from teach import pick, shingles, silver_doc  # noqa: E402

TEXT = "We train BERT on SQuAD and report exact match."


def test_doctests_pass():
    assert doctest.testmod(teach).failed == 0


def test_one_teacher_spans_are_entities_and_the_rest_outside():
    doc = silver_doc(spacy.blank("en").make_doc(TEXT), [{(9, 13, "METHOD"), (17, 22, "DATASET")}])
    entities = [(ent.text, ent.label_) for ent in doc.ents]
    assert entities == [("BERT", "METHOD"), ("SQuAD", "DATASET")]
    assert all(token.ent_iob_ in {"B", "O"} for token in doc)


def test_teachers_disagreeing_on_label_or_bounds_leave_the_tokens_missing():
    first = {(9, 13, "METHOD"), (17, 22, "DATASET"), (34, 45, "METRIC")}
    second = {(9, 13, "METHOD"), (17, 22, "METRIC"), (40, 45, "METRIC")}
    doc = silver_doc(spacy.blank("en").make_doc(TEXT), [first, second])
    assert [(ent.text, ent.label_) for ent in doc.ents] == [("BERT", "METHOD")]
    unknown = [token.text for token in doc if token.ent_iob == 0]
    assert unknown == ["SQuAD", "exact", "match"]
    assert doc[0].ent_iob_ == "O"


def test_pick_drops_texts_sharing_a_word_run_and_is_seeded():
    held = shingles("one two three four five six seven eight")
    texts = [f"paper {i} with words that appear nowhere else at all" for i in range(20)]
    leaked = "So one two three four five six seven eight nine."
    picked = pick([*texts, leaked], held, limit=5, seed=3)
    assert len(picked) == 5 and leaked not in picked
    assert picked == pick([*texts, leaked], held, limit=5, seed=3)
    assert picked != pick([*texts, leaked], held, limit=5, seed=4)
    assert len(pick([*texts, leaked], held, limit=0, seed=0)) == 20


@pytest.mark.shared
def test_script_labels_abstracts_with_the_packaged_model(tmp_path: Path, shared_train: Path):
    abstracts = tmp_path / "abstracts.jsonl"
    lines = [
        {"abstract": "We fine-tune BERT for question answering on SQuAD and report F1."},
        {"abstract": ""},
        {"abstract": "A convolutional network classifies images of ImageNet with top-1 accuracy."},
    ]
    abstracts.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "silver.spacy"
    model = model_path()
    result = subprocess.run(
        [sys.executable, "scripts/teach.py", abstracts, shared_train, out,
         "--teacher", model, "--teacher", model],
        cwd=ROOT / "training", env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert len(docs) == 2
    for doc in docs:
        # One model twice agrees with itself everywhere: its spans, nothing missing.
        expected = {(e.start_char, e.end_char, e.label_) for e in nlp(doc.text).ents}
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} == expected
        assert all(token.ent_iob != 0 for token in doc)
