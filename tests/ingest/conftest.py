"""Fixtures for the ingest tests: the small golden files and the shared corpora beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir() -> Path:
    """tests/data/ingest: small invented inputs, one good and one damaged per format."""
    return REPO / "tests" / "data" / "ingest"


@pytest.fixture
def shared_corpora(shared_dir: Path) -> Path:
    """The ../shared/corpora folder beside the project (see ``shared_dir`` in tests/conftest.py)."""
    return shared_dir / "corpora"
