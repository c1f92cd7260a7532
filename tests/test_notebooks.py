"""Every notebook is committed without outputs and runs top to bottom on a fresh kernel with
only the public API, on the corpora in ../shared (on the bundled sample without them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
PNG = b"\x89PNG\r\n\x1a\n"

#: What each notebook prints, built from the corpora and from the bundled sample.
EXPECTED = {
    "explore_graph.ipynb": (["papers: 59 ", "input: hf_papers_listing.txt"], ["papers: 6 "]),
    "leaderboards.ipynb": (
        ["389 of 9367 abstracts state a percentage and name a metric", "papers: 389 "],
        ["papers: 6 "],
    ),
    "trends.ipynb": (["840 abstracts, 120 per year from 7 years", "papers: 840 "], ["papers: 6 "]),
}


def test_every_notebook_has_expectations():
    assert sorted(EXPECTED) == [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert [cell.get("outputs") for cell in code] == [[] for _ in code]
    assert [cell.get("execution_count") for cell in code] == [None for _ in code]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_readme_shows_the_trends_figure():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/trends.png)" in readme
    assert _png_size(ROOT / "docs" / "trends.png") == (1500, 420)


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return output.get("data", {}).get("text/plain", "")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, require):
    nbformat = pytest.importorskip(
        "nbformat", reason="install the test extra: pip install '.[test]'"
    )
    nbclient = pytest.importorskip(
        "nbclient", reason="install the test extra: pip install '.[test]'"
    )
    pytest.importorskip("matplotlib", reason="install the notebooks extra: pip install '.[test]'")
    # A copy of the checkout's layout, run as Jupyter runs a notebook (in its own folder), so
    # that what a notebook writes (docs/trends.png) lands in the copy, not in the checkout.
    folder = tmp_path / "checkout" / "notebooks"
    folder.mkdir(parents=True)
    shutil.copy(path, folder / path.name)
    with_corpora = CORPORA.is_dir()
    if with_corpora:
        (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)

    notebook = nbformat.read(folder / path.name, as_version=4)
    nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    ).execute()

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, "\n".join("\n".join(o.traceback) for o in errors)
    text = "".join(_text(o) for o in outputs)
    corpus_lines, sample_lines = EXPECTED[path.name]
    for line in corpus_lines if with_corpora else sample_lines:
        assert line in text
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    if path.name == "explore_graph.ipynb":
        assert any(h.startswith("<iframe srcdoc=") for h in html)  # graph.show()
        assert "graph.html" in text and " bytes" in text
    else:
        assert images  # the plots
    figure = tmp_path / "checkout" / "docs" / "trends.png"
    if path.name == "trends.ipynb" and with_corpora:
        # The figure the README shows is this notebook's, drawn the same size.
        assert _png_size(figure) == _png_size(ROOT / "docs" / "trends.png")
    require(with_corpora, f"ran on the bundled sample: ../shared corpora not found at {CORPORA}")
