"""The explorer on the sample abstracts (built with the rules extractor), served on 127.0.0.1
at a free port for the tests of this package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.explorer import ExplorerServer
from kg.graph.store import GraphStore


@pytest.fixture(scope="package")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> GraphStore:
    store = GraphStore(tmp_path_factory.mktemp("explorer") / "store")
    build([sample_path], store, extractor="rules")
    return store


@pytest.fixture(scope="package")
def explorer(sample_store: GraphStore) -> Iterator[ExplorerServer]:
    with ExplorerServer(sample_store, port=0) as server:
        server.start()
        yield server
