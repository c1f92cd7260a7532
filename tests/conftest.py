"""Fixtures shared by every test package: where ../shared is, sample papers, and `require`,
the one way a test says what it needs from outside the checkout (../shared, Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "kg" / "data" / "sample" / "abstracts.jsonl"


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
