"""The README's example outputs are what the commands print on the bundled sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"<!-- output of: kg (query @\S+) -->\n```\n(.*?)```", README, re.DOTALL)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory, sample_path):
    store = tmp_path_factory.mktemp("readme") / "store"
    assert main(["--quiet", "build", str(sample_path), "--store", str(store)]) == 0
    return store


def test_readme_has_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_example_output(command, expected, sample_store, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    capsys.readouterr()
    assert main([*command.split(), "--store", str(sample_store)]) == 0
    assert capsys.readouterr().out == expected


def test_quick_start_commands_match_ci():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    quick_start = README.split("## What a build does")[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick_start, re.DOTALL)
    assert len(commands) == 2
    for command in commands:
        assert command in ci
