"""Fixtures shared by every test package: where ../shared is, a blank pipeline, sample papers."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "kg" / "data" / "sample" / "abstracts.jsonl"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only corpora beside the project; tests that need them skip without them."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip(
            "../shared corpora not found beside the project (only CI and developers have them)"
        )
    return SHARED


@pytest.fixture(scope="session")
def listing_path(shared_dir: Path) -> Path:
    return shared_dir / "corpora" / "hf_papers_listing.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE
