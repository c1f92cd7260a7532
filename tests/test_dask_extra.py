"""Without the dask extra, a build on a cluster says what to install and changes nothing."""

from __future__ import annotations

import sys

import pytest

from kg.build import build
from kg.cluster import Cluster
from kg.errors import ClusterError
from kg.graph.store import GraphStore


def test_a_cluster_build_without_dask_says_what_to_install(tmp_path, sample_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    store = GraphStore(tmp_path / "store")
    with pytest.raises(ClusterError, match=r'pip install "paperkg\[dask\]"'):
        build([sample_path], store, extractor="rules", cluster=Cluster("tcp://127.0.0.1:1"))
    assert store.generation is None
