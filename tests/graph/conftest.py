from __future__ import annotations

import pytest

from kg.graph.build import ExtractionInfo, graph_triples, to_graph
from kg.graph.iri import IriMinter
from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.analysis import analyse
from kg.resolve import resolve

PAPERS = [
    Paper(
        id="test:1",
        title="Fast Pose Transformers",
        abstract="We propose a Pose Transformer (PoT) for head pose estimation. "
        "PoT reaches 4.2 MAE on the Lamp dataset.",
        authors=("Ada Example", "Bo Sample"),
        year=2024,
        venue="Test Venue",
        url="https://example.org/papers/1",
    ),
    Paper(
        id="test:2",
        title="Head Pose Estimation in Crowds",
        abstract="Head pose estimation fails in crowds. We train convolutional neural networks "
        "on the Lamp dataset and report accuracy.",
        authors=("Bo Sample",),
    ),
]


@pytest.fixture(scope="session")
def records():
    extractor = SpacyExtractor.create("rules")
    return list(extractor.extract(PAPERS))


@pytest.fixture(scope="session")
def analyses(records):
    return [analyse(paper, mentions) for paper, mentions in records]


def triples_of(analyses):
    """The triples the build writes for ``analyses``, resolved together, under the default base."""
    return list(
        graph_triples(
            analyses,
            resolve((a.paper, a.mentions) for a in analyses),
            minter=IriMinter(),
            extraction=ExtractionInfo(name="rules", version="test"),
        )
    )


@pytest.fixture(scope="session")
def triples(analyses):
    return triples_of(analyses)


@pytest.fixture(scope="session")
def graph_of():
    """Builds the rdflib graph of a list of analyses (test modules cannot import conftest)."""
    return lambda analyses: to_graph(triples_of(analyses))


@pytest.fixture
def graph(triples):
    return to_graph(triples)
