"""Tests for the identity rule: DOI, then arXiv, then OpenAlex, then the file's id, then title."""

from __future__ import annotations

import hashlib

import pytest

from kg.ingest.identity import normalise_title, paper_id


@pytest.mark.parametrize(
    ("identifiers", "expected"),
    [
        ({"doi": "10.1234/ABC", "arxiv": "2212.09058"}, "doi:10.1234/abc"),
        ({"doi": "https://doi.org/10.1234/X.Y"}, "doi:10.1234/x.y"),
        ({"doi": "not a doi", "arxiv": "arXiv:2212.09058v3"}, "arxiv:2212.09058"),
        ({"arxiv": "http://arxiv.org/abs/2212.09058v1", "openalex": "W1"}, "arxiv:2212.09058"),
        ({"openalex": "https://openalex.org/W123", "own": "mine:1"}, "openalex:W123"),
        ({"own": "iclr2017:B1-Hhnslg"}, "iclr2017:B1-Hhnslg"),
        ({"own": "12345"}, "12345"),
        ({"own": "https://doi.org/10.1234/Q"}, "doi:10.1234/q"),
        ({"own": "local-1", "url": "https://arxiv.org/abs/2301.00002"}, "arxiv:2301.00002"),
        ({"own": "hep-th/9901001v2"}, "arxiv:hep-th/9901001"),
    ],
)
def test_paper_id_priority(identifiers: dict[str, str], expected: str) -> None:
    assert paper_id(title="Any Title", **identifiers) == expected


def test_title_id_hashes_the_normalised_title() -> None:
    expected = hashlib.sha1(b"small probes big models").hexdigest()[:16]
    assert paper_id(title="Small Probes, BIG Models!") == f"title:{expected}"
    assert paper_id(title="small  probes  big models") == f"title:{expected}"


def test_normalise_title_folds_width_case_and_punctuation() -> None:
    assert normalise_title("Ｆｕｌｌ-Width: Café ﬁne-tuning") == "full width café fine tuning"
