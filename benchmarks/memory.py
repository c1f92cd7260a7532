"""Peak memory of ``kg build`` from a warm extraction cache at several corpus sizes, and how
much of it the resolution holds, per paper.

    python benchmarks/memory.py --cache STORE/corpus.sqlite [--sizes 2000 9367]

Each build runs in its own process, on the first N records of the corpus, in a fresh store
whose extraction cache is a copy of ``--cache`` (a store that built the corpus before), so
nothing is extracted and the figures are those of reading, resolving and writing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.graph.corpus import FILENAME

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"
)

# Run in a child process: resident memory before and after resolving the papers' mentions,
# read from the cache batch by batch as the build reads them.
STAGES = """
import sys
from pathlib import Path
from kg.build import _extractor_version
from kg.graph.corpus import BuildSettings, CorpusFile
from kg.graph.iri import DEFAULT_BASE
from kg.ingest import read_papers
from kg.nlp import DEFAULT_EXTRACTOR
from kg.resolve import resolve

def resident():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 1024**2

papers = list(read_papers([sys.argv[1]]))
version = _extractor_version(DEFAULT_EXTRACTOR)
settings = BuildSettings(DEFAULT_EXTRACTOR, version, 0.0, DEFAULT_BASE)
with CorpusFile(sys.argv[2]) as corpus:
    start = resident()
    resolution = resolve(corpus.analyses(papers, settings.extraction_key).mentions())
    print(start, resident())
"""


def peak_of(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--cache", type=Path, required=True, help="a store's corpus.sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 9367])
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (it lives in ../shared beside the project)")
        return 2
    lines = [x for x in args.corpus.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="paperkg-memory-") as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            (folder / "store" / "generations").mkdir(parents=True)
            shutil.copy(args.cache, folder / "store" / FILENAME)
            corpus = folder / "papers.jsonl"
            corpus.write_text("".join(f"{x}\n" for x in lines[:size]), encoding="utf-8")
            kg = [sys.executable, "-m", "kg.cli", "-q"]
            seconds, peak = peak_of([*kg, "build", str(corpus), "--store", str(folder / "store")])
            stages = subprocess.run(
                [sys.executable, "-c", STAGES, str(corpus), str(folder / "store" / FILENAME)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            start, resolved = map(float, stages)
            rows.append((size, seconds, peak, resolved - start))
            shutil.rmtree(folder)
    print(f"{args.corpus.name}, builds from a warm extraction cache")
    print(f"{'papers':>7}{'seconds':>9}{'peak MB':>9}{'resolution MB':>15}")
    for size, seconds, peak, resolution in rows:
        print(f"{size:>7}{seconds:>9.1f}{peak:>9.0f}{resolution:>15.0f}")
    (small, _, low, r_low), (large, _, high, r_high) = rows[0], rows[-1]
    per_k = 1000 / (large - small)
    print(
        f"per 1,000 papers more: peak {(high - low) * per_k:.0f} MB, resolution "
        f"{(r_high - r_low) * per_k:.0f} MB ({(r_high - r_low) / (large - small) * 1024:.1f} kB "
        f"a paper); peak {high / low:.2f}x for {large / small:.2f}x the papers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
