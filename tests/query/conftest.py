"""A small hand-made corpus with known entities, roles, results and links, built into a store."""

from __future__ import annotations

import pytest

from kg.graph.build import ExtractionInfo, graph_triples
from kg.graph.iri import IriMinter
from kg.graph.store import GraphStore
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.links import code_methods, find_links
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, ResultKind
from kg.resolve import resolve

M, D, T, X = Label.METHOD, Label.DATASET, Label.TASK, Label.METRIC

# (id, abstract, [(surface, label, proposed)], [(number text, metric, dataset, method)])
CORPUS = [
    (
        "q:1",
        "We propose Owlformer for owl detection. Owlformer reaches 51.0% mAP on NightBirds-2K "
        "and also runs on Forest10. Code for Owlformer is available at "
        "https://github.com/owls/owlformer.",
        [
            ("Owlformer", M, True),
            ("owl detection", T, False),
            ("mAP", X, False),
            ("NightBirds-2K", D, False),
            ("Forest10", D, False),
        ],
        [("51.0%", "mAP", "NightBirds-2K", "Owlformer")],
    ),
    (
        "q:2",
        "We study owl detection with Owlformer and ResNet-50. ResNet-50 gets 44.2% mAP on "
        "NightBirds-2K.",
        [
            ("owl detection", T, False),
            ("Owlformer", M, False),
            ("ResNet-50", M, False),
            ("mAP", X, False),
            ("NightBirds-2K", D, False),
        ],
        [("44.2%", "mAP", "NightBirds-2K", "ResNet-50")],
    ),
    (
        "q:3",
        "We introduce BatNet for bat counting on NightBirds-1K. BatNet has 88.0% accuracy on "
        "Forest10.",
        [
            ("BatNet", M, True),
            ("bat counting", T, False),
            ("NightBirds-1K", D, False),
            ("accuracy", X, False),
            ("Forest10", D, False),
        ],
        [("88.0%", "accuracy", "Forest10", "BatNet")],
    ),
]


def _mention(abstract: str, surface: str, label: Label, after: int = 0) -> Mention:
    start = abstract.index(surface, after)
    sentence_start = abstract.rfind(". ", 0, start)
    sentence_start = 0 if sentence_start < 0 else sentence_start + 2
    sentence_end = abstract.find(". ", start)
    sentence = abstract[sentence_start : sentence_end + 1 if sentence_end >= 0 else None]
    return Mention(
        text=surface,
        label=label,
        field="abstract",
        start=start,
        end=start + len(surface),
        sentence=sentence,
        confidence=0.9,
        source="rules",
    )


def corpus() -> list[PaperAnalysis]:
    analyses = []
    for paper_id, abstract, named, results in CORPUS:
        paper = Paper(id=paper_id, title=f"Paper {paper_id}", abstract=abstract)
        mentions = [_mention(abstract, surface, label) for surface, label, _ in named]
        by_text = {m.text: m for m in mentions}
        claims = []
        for number, metric, dataset, method in results:
            start = abstract.index(number)
            claims.append(
                ResultClaim(
                    kind=ResultKind.SCORE,
                    value=float(number.rstrip("%")),
                    unit="%",
                    text=number,
                    field="abstract",
                    start=start,
                    end=start + len(number),
                    sentence=by_text[metric].sentence,
                    method=by_text[method],
                    dataset=by_text[dataset],
                    metric=by_text[metric],
                )
            )
        proposed = tuple(own for _, _, own in named)
        links = tuple(find_links(paper))
        analyses.append(
            PaperAnalysis(
                paper=paper,
                mentions=tuple(mentions),
                proposed=proposed,
                results=tuple(claims),
                links=links,
                link_methods=tuple(code_methods(paper, x, mentions, proposed) for x in links),
            )
        )
    return analyses


@pytest.fixture(scope="session")
def query_store(tmp_path_factory) -> GraphStore:
    analyses = corpus()
    resolution = resolve((a.paper, a.mentions) for a in analyses)
    store = GraphStore(tmp_path_factory.mktemp("queries") / "store")
    store.replace(
        graph_triples(
            analyses,
            resolution,
            minter=IriMinter(),
            extraction=ExtractionInfo(name="rules", version="test"),
        )
    )
    return store
