"""Every view drawn in headless Chromium: the canvas is not blank, the page draws every node of
the view, and search, the details panel and the type boxes work.

Needs Chromium at /usr/bin/chromium and playwright: skipped without them, failed in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.viz import build_view, view_html

# Pixels of the network's canvas that are not white: the drawing.
INKED = """() => {
  const canvas = document.querySelector("#network canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0 && (pixels[i] < 250 || pixels[i + 1] < 250 || pixels[i + 2] < 250)) {
      inked += 1;
    }
  }
  return inked;
}"""
VIEWS = [
    ("papers", {}),
    ("cooccurrence", {}),
    ("entity", {"entity": "OwlSet-9K"}),
    ("landscape", {}),
]


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator:
    # Nothing but the page itself may load.
    with chromium(lambda url: url.startswith("file:")) as context:
        yield context


def open_page(browser, html: str, path: Path):
    path.write_text(html, encoding="utf-8")
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(path.as_uri())
    tab.wait_for_function("window.paperkgReady === true")
    return tab, errors


@pytest.mark.parametrize(("view", "options"), VIEWS, ids=[v for v, _ in VIEWS])
def test_each_view_draws_all_its_nodes(browser, view_store, tmp_path, view, options) -> None:
    network = build_view(view_store, view, **options)
    tab, errors = open_page(browser, view_html(network, title=view), tmp_path / "view.html")
    tab.screenshot(path=str(tmp_path / "view.png"))

    drawn = tab.evaluate(
        "[network.body.data.nodes.length, network.body.data.edges.length,"
        " Object.keys(network.getPositions()).length]"
    )
    assert drawn == [
        network.number_of_nodes(),
        network.number_of_edges(),
        network.number_of_nodes(),
    ]
    assert network.number_of_nodes() > 3
    assert tab.evaluate(INKED) > 500
    assert (tmp_path / "view.png").stat().st_size > 0
    assert tab.evaluate("window.pwned === undefined")
    assert errors == []
    tab.close()


def test_search_opens_the_details_with_the_mention_marked(browser, view_store, tmp_path) -> None:
    tab, errors = open_page(
        browser, view_html(build_view(view_store, "papers"), title="Owls"), tmp_path / "p.html"
    )
    tab.fill("#search", "owlset-9")
    found = tab.locator("#found button").all_text_contents()
    tab.press("#search", "Enter")

    assert found == ["OwlSet-9K"]
    panel = tab.locator("#panel")
    assert panel.is_visible()
    assert panel.locator("h2").text_content() == "OwlSet-9K"
    assert panel.locator("mark").text_content() == "OwlSet-9K"
    assert panel.locator("blockquote").text_content() == (
        "In paper a we study OwlSet-9K closely (take 1)."
    )
    assert panel.locator("a").first.get_attribute("href") == "https://example.org/papers/a"
    assert "47.9% dusk accuracy on OwlSet-9K (Gloom Transformer)" in panel.text_content()
    assert "Family: under OwlSet" in panel.text_content()
    assert tab.evaluate("network.getSelectedNodes().length") == 1
    # An alias finds its entity too, before a paper whose title holds the words.
    tab.fill("#search", "gloom transformers")
    assert tab.locator("#found button").all_text_contents() == [
        "Gloom Transformer",
        "Gloom Transformers for Owl Detection",
    ]
    assert errors == []
    tab.close()


def test_type_boxes_hide_and_show_a_kind(browser, view_store, tmp_path) -> None:
    tab, errors = open_page(
        browser, view_html(build_view(view_store, "papers"), title="Owls"), tmp_path / "t.html"
    )
    hidden = "network.body.data.nodes.get({filter: n => n.hidden}).length"

    tab.uncheck("#legend input[value=paper]")
    assert tab.evaluate(hidden) == 4
    tab.check("#legend input[value=paper]")
    assert tab.evaluate(hidden) == 0
    assert errors == []
    tab.close()


def test_labels_keep_their_size_on_screen_when_zoomed(browser, view_store, tmp_path) -> None:
    tab, errors = open_page(
        browser, view_html(build_view(view_store, "papers"), title="Owls"), tmp_path / "z.html"
    )
    font = "network.body.data.nodes.get({filter: n => n.label !== undefined})[0].font.size"

    fitted = tab.evaluate(f"[{font}, Math.round(14 / network.getScale())]")
    tab.evaluate("network.moveTo({scale: 2})")
    tab.evaluate("network.emit('zoom', {scale: 2})")
    zoomed = tab.evaluate(font)

    assert fitted[0] == fitted[1]
    assert zoomed == 7
    assert errors == []
    tab.close()


def test_an_entity_view_opens_on_the_entity(browser, view_store, tmp_path) -> None:
    network = build_view(view_store, "entity", entity="owl detection")
    tab, errors = open_page(browser, view_html(network, title="Owls"), tmp_path / "e.html")

    assert tab.locator("#panel h2").text_content() == "owl detection"
    assert tab.evaluate("network.getSelectedNodes().length") == 1
    assert tab.evaluate("network.body.data.nodes.get(network.getSelectedNodes()[0]).label") == (
        "owl detection"
    )
    assert errors == []
    tab.close()
