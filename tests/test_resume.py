"""A build killed outright (SIGKILL) mid-extraction leaves the previous graph, valid, and no
worker behind; run again, it reuses what it extracted and ends where an unkilled run ends."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kg.build import add, build
from kg.cli import main
from kg.graph.corpus import FILENAME
from kg.graph.store import GraphStore

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc to find worker processes"
)

SYNTHETIC = 400
NAMES = ["Transformer", "Diffusion", "Graph", "Speech", "Vision", "Audio", "Pose", "Text"]


def synthetic_papers(path: Path, count: int, prefix: str) -> Path:
    lines = []
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        lines.append(
            json.dumps(
                {
                    "id": f"{prefix}:{i}",
                    "title": f"{name}Net{i}: Fast {name.lower()} recognition",
                    "abstract": f"We propose {name}Net{i}, a novel {name.lower()} network for "
                    f"{name.lower()} recognition. Trained on {name}Set{i % 50} and evaluated on "
                    f"CIFAR-10, {name}Net{i} reaches {50 + i % 40}.1% accuracy, outperforming "
                    f"the {name} Encoder Model ({name[:2].upper()}EM) by 2.{i % 10} points.",
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name (which may hold spaces) start with state, ppid.
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cached_count(store: Path) -> int:
    try:
        with sqlite3.connect(store / FILENAME, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM extraction").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """A store with a small graph, then a larger build of it killed with SIGKILL once its
    two workers run and some papers are cached: (store, inputs, graph before, workers,
    papers cached when killed)."""
    folder = tmp_path_factory.mktemp("killed")
    small = synthetic_papers(folder / "small.jsonl", 5, "small")
    more = synthetic_papers(folder / "more.jsonl", SYNTHETIC, "more")
    store = GraphStore(folder / "store")
    build([small], store, extractor="rules")
    before = store.to_graph()
    inputs = [str(small), str(more)]
    command = [sys.executable, "-m", "kg.cli", "-q", "build", *inputs]
    options = ["--store", str(store.path), "--extractor", "rules", "--n-process", "2"]
    process = subprocess.Popen(command + options, stdout=subprocess.DEVNULL)
    workers: set[int] = set()
    cached = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            workers |= children(process.pid)
            cached = cached_count(store.path)
            if len(workers) >= 2 and cached > 5:
                break
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the build ended before it was killed"
    yield store, inputs, before, workers, cached
    for pid in workers:  # if a test failed because they outlived the build
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_no_worker_outlives_a_killed_build(killed):
    *_, workers, _ = killed
    assert len(workers) >= 2
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]


def test_killed_build_leaves_the_previous_graph(killed, capsys):
    store, _, before, _, cached = killed
    assert 5 < cached < SYNTHETIC + 5, "killed mid-extraction"
    assert isomorphic(store.to_graph(), before)
    assert main(["validate", "--store", str(store.path)]) == 0
    assert capsys.readouterr().out.strip().endswith("conforms to the paperkg shapes")


def test_build_resumes_where_it_was_killed(killed, tmp_path):
    store, inputs, _, _, cached = killed
    resumed, _ = build(inputs, store, extractor="rules")
    assert resumed.extracted <= resumed.papers - cached
    assert sorted(p.name for p in (store.path / "generations").iterdir()) == [store.generation]
    fresh = GraphStore(tmp_path / "fresh")
    build(inputs, fresh, extractor="rules")
    assert isomorphic(store.to_graph(), fresh.to_graph())


def _generations(store: GraphStore) -> set[str]:
    folder = store.path / "generations"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_an_add_killed_while_it_writes_leaves_one_graph_or_the_other(tmp_path):
    """SIGKILL at several moments after ``kg add`` has started the new generation: the store
    holds, each time, either the graph before the add or the whole graph after it, valid;
    run once more, the add ends isomorphic to a build of everything."""
    small = synthetic_papers(tmp_path / "small.jsonl", 40, "small")
    more = synthetic_papers(tmp_path / "more.jsonl", SYNTHETIC, "more")
    store = GraphStore(tmp_path / "store")
    build([small], store, extractor="rules")
    before = store.to_graph()
    reference = GraphStore(tmp_path / "reference")
    build([small, more], reference, extractor="rules")
    after = reference.to_graph()
    command = [sys.executable, "-m", "kg.cli", "-q", "add", str(more)]
    options = ["--store", str(store.path), "--n-process", "1"]
    killed_mid_write = 0
    for delay in (0.0, 0.02, 0.1, 0.3, 1.0):
        live = _generations(store)
        process = subprocess.Popen(command + options, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _generations(store) - live:
                time.sleep(delay)
                break
            time.sleep(0.005)
        writing = process.poll() is None and bool(_generations(store) - live)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_mid_write += writing and process.returncode == -signal.SIGKILL
        graph = GraphStore(store.path).to_graph()
        assert isomorphic(graph, before) or isomorphic(graph, after), f"killed after {delay} s"
        assert main(["-q", "validate", "--store", str(store.path)]) == 0
        if isomorphic(graph, after):
            break
    assert killed_mid_write >= 1, "no kill fell while the add was writing"
    add([more], store)
    assert isomorphic(GraphStore(store.path).to_graph(), after)
    assert len(_generations(store)) == 1
