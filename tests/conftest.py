"""Fixtures shared by every test package: where ../shared is, sample papers, `require`, the
one way a test says what it needs from outside the checkout (../shared, Chromium), and
`chromium`, the one way a test starts the browser."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "kg" / "data" / "sample" / "abstracts.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
#: How the browser tests start Chromium: headless, no GPU, nothing fetched in the background.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``, as .ci/run is started)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def require(condition: bool, reason: str) -> None:
    """Go on if ``condition`` holds; else skip the test with ``reason``, or fail it in CI.

    In CI a missing ../shared or Chromium is a broken setup, not an optional extra: a skip there
    would let a green run hide tests that never ran. Optional extras (torch, transformers) keep
    using ``pytest.skip`` / ``pytest.importorskip`` directly.
    """
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(name="require", scope="session")
def require_fixture() -> Callable[[bool, str], None]:
    """:func:`require` for test modules, which cannot import this conftest by name."""
    return require


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only corpora beside the project: skipped without them, failed in CI."""
    require(
        (SHARED / "corpora").is_dir(),
        f"../shared corpora not found beside the project; put the shared folder at {SHARED}",
    )
    return SHARED


@pytest.fixture(scope="session")
def shared_train() -> Path:
    """../shared/train, the SciERC and TDMSci training corpora: skipped without, failed in CI."""
    train = SHARED / "train"
    require(
        (train / "scierc").is_dir() and (train / "tdmsci").is_dir(),
        f"../shared/train (SciERC, TDMSci) not found beside the project at {train}",
    )
    return train


@pytest.fixture(scope="session")
def listing_path(shared_dir: Path) -> Path:
    return shared_dir / "corpora" / "hf_papers_listing.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


def run_fresh(code: str, *args: str) -> Any:
    """Run ``code`` in a fresh interpreter with ``args`` and return the JSON it prints: how a
    test sees which modules a command really imports."""
    run = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(name="run_fresh", scope="session")
def run_fresh_fixture() -> Callable[..., Any]:
    """:func:`run_fresh` for test modules."""
    return run_fresh


@pytest.fixture(scope="session")
def chromium(require, tmp_path_factory) -> Callable[..., Any]:
    """``chromium(allow)``: a context manager that gives a fresh headless Chromium context (a
    new profile folder) in which only URLs for which ``allow(url)`` holds may load. Skipped
    without Chromium or playwright, failed in CI."""
    require(CHROMIUM.exists(), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    require(
        importlib.util.find_spec("playwright") is not None,
        "needs playwright, part of the test extra (pip install '.[test]')",
    )
    from playwright import sync_api

    @contextmanager
    def launch(allow: Callable[[str], bool]) -> Iterator[Any]:
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("profile")),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1200, "height": 800},
            )
            context.route(
                "**/*",
                lambda route: route.continue_() if allow(route.request.url) else route.abort(),
            )
            try:
                yield context
            finally:
                context.close()

    return launch
