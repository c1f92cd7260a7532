from __future__ import annotations

import pytest

from kg.graph.iri import IriMinter, slug


def test_iris_are_stable_and_distinct():
    a, b = IriMinter(), IriMinter()
    assert a.entity("diffusion transformer") == b.entity("diffusion transformer")
    assert a.entity("bert") != a.entity("bart")
    assert str(a.entity("bert")).startswith("https://w3id.org/paperkg/resource/entity/bert-")
    assert a.paper("arxiv:2212.09058").endswith("/paper/arxiv-2212.09058")


def test_configurable_base():
    minter = IriMinter("http://example.org/kg#")
    assert str(minter.author("Ada Lovelace")) == "http://example.org/kg#author/ada-lovelace"


def test_base_must_end_with_separator():
    with pytest.raises(ValueError, match="must end with"):
        IriMinter("http://example.org/kg")


def test_slug_folds_accents_and_symbols():
    assert slug("Décodeur à  Transformers (v2)") == "decodeur-a-transformers-v2"
