"""A 5,000-node view, timed: how long Python takes to fetch and write the page, and how long
headless Chromium takes from opening it until vis-network has drawn it (``window.paperkgReady``,
set on the first ``afterDrawing``). Medians of several runs.

    python benchmarks/viz.py --store STORE [--view cooccurrence] [--top 5000] [--repeats 3]

STORE is a store built from ``../shared/corpora/ml_nlp_abstracts.jsonl`` (``kg build``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.graph.store import GraphStore
from kg.viz import ViewFormat, build_view, write_view
from kg.viz.page import layout

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def time_browser(page: Path, repeats: int) -> tuple[list[float], list[float], int]:
    """Seconds from navigation to the first drawing, each in a fresh browser profile, and
    from typing a name in the search box to the match's details."""
    from playwright import sync_api

    times: list[float] = []
    searches: list[float] = []
    drawn = 0
    with sync_api.sync_playwright() as playwright:
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as profile:
                context = playwright.chromium.launch_persistent_context(
                    profile,
                    executable_path=str(CHROMIUM),
                    headless=True,
                    args=ARGS,
                    viewport={"width": 1400, "height": 900},
                )
                tab = context.new_page()
                start = time.perf_counter()
                tab.goto(page.as_uri())
                tab.wait_for_function("window.paperkgReady === true", timeout=300_000)
                times.append(time.perf_counter() - start)
                drawn = tab.evaluate("network.body.data.nodes.length")
                # Interactive: a search, the view moved to the match and its details shown.
                start = time.perf_counter()
                tab.fill("#search", "BERT")
                tab.press("#search", "Enter")
                tab.locator("#panel h2").wait_for()
                searches.append(time.perf_counter() - start)
                context.close()
    return times, searches, drawn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a store of ml_nlp_abstracts.jsonl")
    parser.add_argument("--view", default="cooccurrence")
    parser.add_argument("--top", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"needs Chromium at {CHROMIUM}", file=sys.stderr)
        return 1
    store = GraphStore(args.store)
    out = Path(tempfile.mkdtemp()) / "view.html"
    fetch, lay, write = [], [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        network = build_view(store, args.view, top=args.top)
        fetch.append(time.perf_counter() - start)
        start = time.perf_counter()
        layout(network)
        lay.append(time.perf_counter() - start)
        start = time.perf_counter()
        write_view(network, out, ViewFormat.HTML, title="benchmark")
        write.append(time.perf_counter() - start)
    browser, searches, drawn = time_browser(out, args.repeats)
    size = out.stat().st_size / 1e6
    print(
        f"view {args.view} --top {args.top}: {network.number_of_nodes():,} nodes, "
        f"{network.number_of_edges():,} links, page {size:.1f} MB, {drawn:,} nodes drawn"
    )
    for name, times in (
        ("fetch the view (SPARQL)", fetch),
        ("layout", lay),
        ("write the page (layout included)", write),
        ("Chromium: open until drawn", browser),
        ("Chromium: search BERT until its details show", searches),
    ):
        print(
            f"  {name}: median {statistics.median(times):.2f} s of {len(times)} "
            f"({', '.join(f'{t:.2f}' for t in times)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
