"""The suite's `require` (tests/conftest.py): a test that needs ../shared or Chromium skips
outside CI, saying why, and fails under CI=true so a green run hides nothing."""

from __future__ import annotations

import pytest

REASON = "needs the moon"


def outcome(require, condition: bool) -> BaseException | None:
    """What ``require`` raised (a skip or a failure), caught so that neither ends this test."""
    try:
        require(condition, REASON)
    except (pytest.fail.Exception, pytest.skip.Exception) as raised:
        return raised
    return None


def set_ci(monkeypatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_unmet_requirement_fails_in_ci(require, monkeypatch, value):
    set_ci(monkeypatch, value)
    raised = outcome(require, False)
    assert isinstance(raised, pytest.fail.Exception)
    assert str(raised) == f"{REASON} (CI=true: this test must run, not skip)"


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_unmet_requirement_skips_with_its_reason_outside_ci(require, monkeypatch, value):
    set_ci(monkeypatch, value)
    raised = outcome(require, False)
    assert isinstance(raised, pytest.skip.Exception)
    assert str(raised) == REASON


@pytest.mark.parametrize("value", [None, "true"])
def test_met_requirement_lets_the_test_go_on(require, monkeypatch, value):
    set_ci(monkeypatch, value)
    assert outcome(require, True) is None
