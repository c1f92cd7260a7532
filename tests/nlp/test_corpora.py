from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.nlp.corpora import GoldSpan, read_scierc, read_semeval, read_tdmsci, split_tdmsci

SCIERC = {
    "doc_key": "X_1",
    "text": "We train a CRF -LRB- CRF -RRB- on the Penn Treebank and on images .",
    "mentions": [
        {"type": "Method", "tok_start": 3, "tok_end": 4},
        {"type": "Method", "tok_start": 5, "tok_end": 6},
        {"type": "Material", "tok_start": 9, "tok_end": 11},
        {"type": "Material", "tok_start": 13, "tok_end": 14},
        {"type": "Generic", "tok_start": 0, "tok_end": 1},
    ],
}


@pytest.fixture
def scierc_file(tmp_path: Path) -> Path:
    path = tmp_path / "dev.unified.jsonl"
    path.write_text(json.dumps(SCIERC) + "\n")
    return path


def texts(doc, spans):
    return [(doc.text[s.start : s.end], s.label) for s in spans]


def test_scierc_brackets_become_plain_text_with_offsets_kept(scierc_file):
    (doc,) = read_scierc(scierc_file)
    assert doc.text == "We train a CRF (CRF) on the Penn Treebank and on images."
    assert texts(doc, doc.spans) == [
        ("CRF", "METHOD"),
        ("CRF", "METHOD"),
        ("Penn Treebank", "DATASET"),
    ]
    # "images" is a Material but not a named data set: its label is left unknown.
    assert [doc.text[a:b] for a, b in doc.unknown] == ["images"]


@pytest.mark.parametrize(
    ("material", "datasets", "unknown"),
    [("all", 2, 0), ("none", 0, 2), ("name-outside", 1, 0)],
)
def test_scierc_material_mappings(scierc_file, material, datasets, unknown):
    (doc,) = read_scierc(scierc_file, material=material)
    assert sum(s.label == "DATASET" for s in doc.spans) == datasets
    assert len(doc.unknown) == unknown


def test_scierc_rejects_an_unknown_mapping(scierc_file):
    with pytest.raises(ValueError, match="unknown Material mapping 'some'"):
        list(read_scierc(scierc_file, material="some"))


def test_tdmsci_sentences_keep_spacing_from_offsets(tmp_path: Path):
    path = tmp_path / "t.conll"
    rows = [("BLEU", 10, "B-METRIC"), ("on", 15, "O"), ("WMT", 18, "B-DATASET"),
            ("-", 21, "I-DATASET"), ("14", 22, "I-DATASET"), (".", 24, "O")]  # fmt: skip
    second = [("Parsing", 26, "B-TASK"), ("works", 34, "O")]
    path.write_text(
        "\n".join("\t".join(map(str, r)) for r in rows)
        + "\n\n"
        + "\n".join("\t".join(map(str, r)) for r in second)
        + "\n"
    )
    first, last = read_tdmsci(path)
    assert first.text == "BLEU on WMT-14."
    assert texts(first, first.spans) == [("BLEU", "METRIC"), ("WMT-14", "DATASET")]
    assert last.spans == (GoldSpan(0, 7, "TASK"),)
    assert "METHOD" not in first.labels


def test_tdmsci_holds_out_every_tenth_sentence(tmp_path: Path):
    docs = [f"s{i}" for i in range(25)]
    train, heldout = split_tdmsci(docs)  # type: ignore[arg-type]
    assert heldout == ["s9", "s19"]
    assert len(train) == 23


def test_semeval_maps_task_and_process(tmp_path: Path):
    path = tmp_path / "semeval.txt"
    path.write_text(
        "-DOCSTART- (S1)\n\nWe\t0,2\tO\tO\nsimulate\t3,11\tO\tB-Process\n"
        "flows\t12,17\tO\tI-Process\nfor\t18,21\tO\tO\ndesign\t22,28\tO\tB-Task\n"
    )
    (doc,) = read_semeval(path)
    assert texts(doc, doc.spans) == [("simulate flows", "METHOD"), ("design", "TASK")]


def test_document_gold_records_are_read_with_their_aliases(tmp_path):
    from kg.nlp.corpora import read_graph_gold

    path = tmp_path / "gold.jsonl"
    path.write_text(
        '{"id": "p1", "method": [{"label": "Diffusion Transformer", "aliases": ["DiT"], '
        '"proposed": true}], "dataset": [], "task": [], "metric": [{"label": "FID"}]}\n'
        "\n"
        '{"id": "p2", "method": [{"aliases": []}]}\n'
    )
    records = read_graph_gold(path)
    key, gold = next(records)
    assert key == "p1"
    assert gold["METHOD"][0].names == ("Diffusion Transformer", "DiT")
    assert gold["METHOD"][0].proposed and gold["METRIC"][0].names == ("FID",)
    with pytest.raises(ValueError, match=r"gold.jsonl, line 3: not a gold record"):
        next(records)
