"""The explorer in headless Chromium: run a named query from the editor, follow a row to an
entity page and see its evidence, search, and read a paper with its mentions linked.

Screenshots are kept as artifacts: in the test's temporary folder and under
``$PAPERKG_TEST_ARTIFACTS`` (``tests/artifacts/`` by default, which git ignores).
Needs Chromium at /usr/bin/chromium and playwright: skipped without them, failed in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ARTIFACTS = Path(
    os.environ.get("PAPERKG_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts"
)


@pytest.fixture(scope="module")
def browser(chromium, explorer) -> Iterator:
    # Nothing but the explorer itself may load.
    with chromium(lambda url: url.startswith(explorer.root + "/")) as context:
        yield context


@pytest.fixture
def tab(browser) -> Iterator:
    tab = browser.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    yield tab
    tab.close()


def screenshot(tab, tmp_path: Path, name: str) -> list[Path]:
    """The page as ``name`` in the test's folder and among the artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = [tmp_path / name, ARTIFACTS / name]
    for path in paths:
        tab.screenshot(path=str(path), full_page=True)
    return paths


def test_a_named_query_runs_and_a_row_leads_to_the_entity(tab, explorer, tmp_path) -> None:
    tab.goto(explorer.root + "/")
    tab.wait_for_function("window.paperkgEditorReady === true")
    # The example query is highlighted as it loads.
    assert tab.locator("#highlight .tok-keyword").first.text_content() == "SELECT"

    tab.click("button.named[data-name=leaderboard]")
    assert tab.locator("#query").input_value().startswith("# A leaderboard")
    assert tab.locator("#highlight .tok-comment").count() > 0
    assert tab.locator("#highlight .tok-variable").count() > 0
    bind = tab.locator("#bind-fields input")
    assert bind.evaluate_all("inputs => inputs.map(i => i.name)") == ["bind.dataset"]
    tab.fill("input[name='bind.dataset']", "AudioSet")
    tab.click("#run")
    tab.wait_for_selector("#results table tbody tr")

    header = tab.locator("#results thead th").all_text_contents()
    assert header == ["datasetLabel", "metric", "value", "unit", "method", "paper", "sentence"]
    first = tab.locator("#results tbody tr").first.locator("td").all_text_contents()
    assert first[:5] == ["AudioSet", "mAP", "47.9", "%", "Gated Audio Transformer"]
    assert tab.locator("#status").text_content().startswith("1 row in ")
    # The downloads run the same query with the same binding.
    csv_link = tab.locator("#download-csv").get_attribute("href")
    download = httpx.get(explorer.root + csv_link, trust_env=False, timeout=30)
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.text.splitlines()[1].startswith("AudioSet,mAP,47.9,%,Gated Audio Transformer")
    assert "format=json" in tab.locator("#download-json").get_attribute("href")
    shots = screenshot(tab, tmp_path, "explorer-editor.png")

    tab.locator("#results tbody tr").first.get_by_role(
        "link", name="Gated Audio Transformer"
    ).click()
    tab.wait_for_selector("article.entity")
    assert tab.url == explorer.root + "/entity/Gated%20Audio%20Transformer"
    assert tab.locator("h1").text_content().startswith("Gated Audio Transformer")
    marks = tab.locator("#evidence mark").all_text_contents()
    assert set(marks) == {"Gated Audio Transformer", "GAT", "Gated Audio Transformers"}
    tab.locator("#graph iframe").scroll_into_view_if_needed()
    graph = tab.frame_locator("#graph iframe")
    graph.locator("#network canvas").wait_for()
    shots += screenshot(tab, tmp_path, "explorer-entity.png")
    assert all(path.stat().st_size > 10_000 for path in shots)
    assert tab.errors == []


def test_search_finds_a_paper_whose_mentions_lead_to_entities(tab, explorer, tmp_path) -> None:
    tab.goto(explorer.root + "/")
    tab.fill("header input[name=q]", "sound event")
    tab.press("header input[name=q]", "Enter")
    tab.wait_for_selector("#found-papers")
    papers = tab.locator("#found-papers a").all_text_contents()
    assert papers == ["Gated Audio Transformers for Sound Event Classification"]
    entities = tab.locator("#found-entities a").all_text_contents()
    assert entities == ["Sound Event Classification"]
    shots = screenshot(tab, tmp_path, "explorer-search.png")

    tab.click("#found-papers a")
    tab.wait_for_selector("article.paper")
    mentions = tab.locator("#abstract a.mention")
    assert mentions.count() >= 10
    assert tab.locator("#title a.mention").all_text_contents() == [
        "Gated Audio Transformers",
        "Sound Event Classification",
    ]
    shots += screenshot(tab, tmp_path, "explorer-paper.png")
    tab.locator("#abstract a.mention", has_text="AudioSet").first.click()
    tab.wait_for_selector("article.entity")
    assert tab.locator("h1").text_content().startswith("AudioSet")
    assert all(path.stat().st_size > 10_000 for path in shots)
    assert tab.errors == []
