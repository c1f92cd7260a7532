"""benchmarks/scale.py: the resampled corpus (distinct, well-formed, fixed by its seed) and a
small run of the whole measurement."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kg.ingest import read_papers
from kg.ingest.identity import normalise_title

ROOT = Path(__file__).resolve().parents[2]

# (venue, year, title, sentences): two venues and years, made up for these tests.
ABSTRACTS = [
    (
        "OwlConf",
        2021,
        "Owlformer: Transformers for Owl Detection",
        [
            "We propose Owlformer, a Transformer for owl detection in night images.",
            "Owlformer attends to the eyes of each bird before it attends to the branches.",
            "On NightBirds-2K it reaches 51.0% mAP, and on Forest10 it reaches 88.1% accuracy.",
            "Its training uses the AdamW optimizer with a cosine schedule.",
            "Code is available at https://github.com/owls/owlformer.",
        ],
    ),
    (
        "OwlConf",
        2021,
        "Counting Birds with Convolutional Neural Networks",
        [
            "Bird counting is the task of estimating how many birds an image holds.",
            "We train ResNet-50 and VGG-16 on the Forest10 dataset.",
            "ResNet-50 reaches 12.3 mean absolute error, e.g. on crowded trees.",
            "We release the annotations of 2,000 images.",
        ],
    ),
    (
        "OwlConf",
        2021,
        "A Study of Owl Calls for Audio Event Detection",
        [
            "Audio event detection finds the start and end of each sound in a recording.",
            "We record owl calls in three forests and label them by species.",
            "A CNN trained with SpecAugment detects calls with an F1 of 0.81.",
            "The recordings complement AudioSet, whose owl class is small.",
            "We also report results on ESC-50.",
        ],
    ),
    (
        "OwlConf",
        2021,
        "Nocturnal Image Enhancement",
        [
            "Low-light image enhancement brightens dark photographs.",
            "We compare Retinex models with a U-Net trained on paired images.",
            "The U-Net gains 2.1 PSNR over the best Retinex model.",
        ],
    ),
    (
        "Birdfest",
        2023,
        "Feathers: Self-supervised Learning from Plumage",
        [
            "Self-supervised learning learns features without labels.",
            "We present Feathers, which predicts masked patches of plumage images.",
            "Fine-tuned on CUB-200, Feathers reaches 91.2% top-1 accuracy.",
            "Linear probing on iNaturalist shows the same trend.",
        ],
    ),
    (
        "Birdfest",
        2023,
        "Large Language Models for Bird Species Description",
        [
            "Large language models write fluent text about many topics.",
            "We ask GPT-4 and LLaMA-2 to describe bird species from field notes.",
            "Experts rate the descriptions of GPT-4 higher in 70% of cases.",
            "The prompts and the ratings are public.",
            "We discuss errors in plumage colours (see Fig. 3).",
        ],
    ),
    (
        "Birdfest",
        2023,
        "Migration Forecasting with Graph Neural Networks",
        [
            "Migration forecasting predicts where flocks fly next.",
            "We model stopover sites as a graph and train a GCN on ten years of radar data.",
            "The GCN lowers the forecast error by 18% against an LSTM baseline.",
        ],
    ),
    (
        "Birdfest",
        2023,
        "Nest Segmentation in Aerial Images",
        [
            "Nest segmentation outlines nests in drone images.",
            "We annotate the AerialNests dataset with 5,000 masks.",
            "Mask R-CNN trained on AerialNests reaches 43.5 mask AP.",
            "Segment Anything without training reaches 31.0 mask AP.",
        ],
    ),
]


def load_scale() -> ModuleType:
    name = "paperkg_benchmarks_scale"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    return load_scale()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("source") / "abstracts.jsonl"
    records = [
        {
            "id": f"owl{year}:{i}",
            "source_id": str(i),
            "venue": venue,
            "year": year,
            "title": title,
            "authors": ["Ada Owl", f"Bo Finch {i}"],
            "abstract": " ".join(sentences),
            "keywords": ["birds"],
            "status": "Poster",
            "url": f"https://example.org/owl/{i}",
            "source": "written for these tests",
        }
        for i, (venue, year, title, sentences) in enumerate(ABSTRACTS)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_split_sentences_keeps_abbreviations_and_numbers(scale: ModuleType) -> None:
    assert scale.split_sentences(
        "We use BERT, e.g. for QA. It works (see Fig. 2). Results: a 3.5% gain! Why? "
        "Because x.y holds."
    ) == [
        "We use BERT, e.g. for QA.",
        "It works (see Fig. 2).",
        "Results: a 3.5% gain!",
        "Why?",
        "Because x.y holds.",
    ]


def test_make_writes_distinct_well_formed_records(
    scale: ModuleType, source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "corpus.jsonl"
    assert scale.make(source, 50, out, seed=3) == 50
    made, originals = read(out), read(source)

    assert all(list(r) == list(originals[0]) for r in made)
    ids = [r["id"] for r in made + originals]
    assert len(set(ids)) == len(ids)
    titles = [normalise_title(r["title"]) for r in made + originals]
    assert len(set(titles)) == len(titles)

    firsts = {sentences[0]: (venue, year) for venue, year, _, sentences in ABSTRACTS}
    counts = {sentences[0]: len(sentences) for _, _, _, sentences in ABSTRACTS}
    for record in made:
        sentences = scale.split_sentences(record["abstract"])
        # A real first sentence opens the abstract, which keeps its source's length and
        # its venue and year.
        assert firsts[sentences[0]] == (record["venue"], record["year"])
        assert len(sentences) == counts[sentences[0]]
        assert len(set(sentences)) == len(sentences)

    papers = list(read_papers([out]))
    assert [p.id for p in papers] == [r["id"] for r in made]
    assert all(p.title and p.abstract and p.year for p in papers)


def test_make_is_fixed_by_its_seed(scale: ModuleType, source: Path, tmp_path: Path) -> None:
    first, again, other = (tmp_path / f"{name}.jsonl" for name in ("first", "again", "other"))
    scale.make(source, 50, first, seed=3)
    scale.make(source, 50, again, seed=3)
    scale.make(source, 50, other, seed=4)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()

    # Records 30 to 49 of the stream, written alone, are the same records.
    tail = tmp_path / "tail.jsonl"
    scale.make(source, 20, tail, seed=3, start=30)
    assert read(tail) == read(first)[30:]


def test_run_measures_build_add_and_queries(
    scale: ModuleType, source: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    argv = ["run", "--source", str(source), "--n", "30", "--new", "10", "--work", str(work)]
    argv += ["--extractor", "rules", "--n-process", "1", "--repeats", "1", "--cap", "60"]
    assert scale.main(argv) == 0

    report = json.loads((work / "scale-30.json").read_text(encoding="utf-8"))
    build, add = report["build"], report["add"]
    assert "papers: 30 (0 duplicates merged)" in [line.strip() for line in build["output"]]
    assert "extracted: 10 (30 from the cache)" in [line.strip() for line in add["output"]]
    assert build["x_tokenizer"] > 1
    assert build["memory_samples"] > 0
    assert 0 < build["peak_tree_pss"] <= build["peak_tree_rss"]
    assert build["peak_largest_process_rss"] > 0
    assert report["triples"] > 0
    assert report["graph_bytes"] + report["cache_bytes"] <= report["store_bytes"]
    assert add["x_extraction"] > 0
    stages = ["tokenizer", "build", "queries", "rdflib", "add", "extraction"]
    assert list(report["load_average_after"]) == stages

    queries = sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq"))
    assert sorted(report["queries"]) == queries
    for name, query in report["queries"].items():
        assert query["oxigraph_seconds"] > 0
        # Both engines over the same graph give the same number of rows.
        assert query["rdflib_rows"] == query["rows"], name
    assert report["queries"]["top-entities"]["rows"] == 10
    assert report["queries"]["methods-on-dataset"]["bound"] == {
        "dataset": report["bindings"]["dataset"]
    }

    table = (work / "scale-30.md").read_text(encoding="utf-8")
    assert all(f"| {name} |" in table for name in queries)
