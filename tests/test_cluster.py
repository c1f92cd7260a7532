"""Extraction on a dask cluster: the graph is the one of a build on this machine, cached papers
stay here, an unreachable scheduler is a clear error that changes nothing, and a worker that
dies mid-batch costs nothing but time."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kg.build import add, build
from kg.cli import main
from kg.cluster import Cluster
from kg.errors import ClusterError
from kg.graph.store import GraphStore

distributed = pytest.importorskip("distributed", reason='needs pip install "paperkg[dask]"')
cloudpickle = pytest.importorskip("cloudpickle")


@pytest.fixture(scope="module")
def scheduler():
    """The address of a cluster of two worker processes of one thread each."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def local_graph(tmp_path_factory, sample_path):
    store = GraphStore(tmp_path_factory.mktemp("local") / "store")
    build([sample_path], store)
    return store.to_graph()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def built_from_first_two(sample_path: Path, tmp_path: Path) -> GraphStore:
    """A store built here from the first two papers of the sample."""
    records = sample_path.read_text(encoding="utf-8").splitlines()
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join(records[:2]) + "\n", encoding="utf-8")
    store = GraphStore(tmp_path / "store")
    build([first], store)
    return store


def test_a_cluster_build_is_the_local_build(tmp_path, sample_path, scheduler, local_graph):
    store = GraphStore(tmp_path / "store")
    summary, _ = build([sample_path], store, cluster=Cluster(scheduler, batch_size=2))
    assert summary.extracted == summary.papers == 6
    assert isomorphic(store.to_graph(), local_graph)


def test_cached_papers_are_not_sent(tmp_path, sample_path, scheduler, local_graph):
    store = built_from_first_two(sample_path, tmp_path)
    summary, change, _ = add([sample_path], store, cluster=Cluster(scheduler))
    assert summary is not None and change.added == 4
    assert summary.extracted == 4
    assert isomorphic(store.to_graph(), local_graph)


def test_cli_builds_on_a_cluster(tmp_path, sample_path, scheduler, capsys):
    store = str(tmp_path / "store")
    assert main(["build", str(sample_path), "--store", store, "--scheduler", scheduler]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        f"built {store}",
        "  papers: 6 (0 duplicates merged)",
        "  extracted: 6 (0 from the cache)",
    ]


def test_n_process_and_scheduler_are_a_usage_error(sample_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(sample_path), "--n-process", "2", "--scheduler", "tcp://x:1"])
    assert exit_.value.code == 2
    assert "--n-process is for extraction on this machine" in capsys.readouterr().err


def test_an_unreachable_scheduler_changes_nothing(tmp_path, sample_path, local_graph, capsys):
    store = built_from_first_two(sample_path, tmp_path)
    generation, before = store.generation, store.to_graph()
    address = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(ClusterError, match=f"cannot reach the dask scheduler at {address}"):
        add([sample_path], store, cluster=Cluster(address, connect_timeout=2))
    assert time.monotonic() - started < 10
    argv = ["add", str(sample_path), "--store", str(store.path), "--scheduler", address]
    assert main([*argv, "--connect-timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kg: error: cannot reach the dask scheduler at {address} within 1 s")
    assert "Traceback" not in err
    assert store.generation == generation
    assert isomorphic(store.to_graph(), before)


class KillFirstTask(distributed.WorkerPlugin):
    """Kills the worker process that starts the first task of the cluster (the first to
    create ``marker``), as a crash or an out-of-memory kill would."""

    name = "kill-first-task"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        if finish != "executing":
            return
        try:
            descriptor = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(descriptor, json.dumps({"pid": os.getpid(), "key": str(key)}).encode())
        os.close(descriptor)
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_mid_batch_loses_nothing(tmp_path, sample_path, scheduler, local_graph):
    marker = tmp_path / "killed.json"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with distributed.Client(scheduler, set_as_default=False) as client:
        client.register_plugin(KillFirstTask(str(marker)))
        try:
            store = GraphStore(tmp_path / "store")
            summary, _ = build([sample_path], store, cluster=Cluster(scheduler, batch_size=2))
        finally:
            client.unregister_worker_plugin(KillFirstTask.name)
            cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        client.wait_for_workers(2, timeout=60)
    killed = json.loads(Path(marker).read_text(encoding="utf-8"))
    assert killed["key"].startswith("extract_batch")
    assert summary.extracted == 6
    assert isomorphic(store.to_graph(), local_graph)
