"""Doctests of the modules that need the ``notebooks`` extra skip, with the reason, without it."""

from __future__ import annotations

import importlib.util

import pytest
from _pytest.doctest import DoctestItem

_NEEDS_PANDAS = ("kg.api",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if importlib.util.find_spec("pandas") is not None:
        return
    skip = pytest.mark.skip(reason="needs pandas: pip install 'paperkg[notebooks]'")
    for item in items:
        if isinstance(item, DoctestItem) and item.name.startswith(_NEEDS_PANDAS):
            item.add_marker(skip)
