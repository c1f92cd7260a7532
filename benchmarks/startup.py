"""Start-up time of the reading commands: wall seconds of `kg query`, `stats`, `export`,
`validate` and `serve` up to the point where they need a store (given none, each stops there
with an error), against a bare `python -c pass` (medians of several runs, alternating).

    python benchmarks/startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = ("query ASK{}", "stats", "export", "validate", "serve --port 0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    missing = str(Path(tempfile.mkdtemp()) / "no-store")
    runs = {"python -c pass": [sys.executable, "-c", "pass"]}
    for command in COMMANDS:
        runs[f"kg {command}"] = [sys.executable, "-m", "kg.cli", *command.split()]
        runs[f"kg {command}"] += ["--store", missing]
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, command in runs.items():
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            times[name].append(time.perf_counter() - started)
    bare = statistics.median(times["python -c pass"])
    print(f"{'command':<24}{'seconds':>9}{'- python':>10}")
    for name, values in times.items():
        seconds = statistics.median(values)
        print(f"{name:<24}{seconds:>9.3f}{seconds - bare:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
