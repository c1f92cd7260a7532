"""The explorer's pages over HTTP: an entity, a paper with its mentions linked, search, and
what a missing entity or paper answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from kg.explorer.pages import marked_spans, page_key

GAT = "gated-audio-transformer-"  # the start of the entity's page key; a hash follows


class _Links(HTMLParser):
    """The links of a page, each as (href, class, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self._open: list[tuple[str, str]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            self._open.append((found.get("href") or "", found.get("class") or ""))
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, kind = self._open.pop()
            self.links.append((href, kind, "".join(self._text)))


def page(explorer, path: str) -> httpx.Response:
    return httpx.get(explorer.root + path, trust_env=False, timeout=30)


def links(reply: httpx.Response) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(reply.text)
    return parser.links


def test_an_entity_page_found_by_name_shows_what_the_graph_knows(explorer):
    reply = page(explorer, "/entity/GAT")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    text = reply.text
    assert re.search(r"<h1>Gated Audio Transformer <span[^>]*>Method</span></h1>", text)
    assert "GAT, Gated Audio Transformers" in text  # the aliases
    found = links(reply)
    assert ("/paper/sample-1", "", "Gated Audio Transformers for Sound Event Classification") in (
        found
    )
    assert ("/entity/AudioSet", "", "AudioSet") in found  # named with it, and in its results
    assert "47.9%" in text
    # Each evidence sentence marks the words that name it.
    assert "<mark>GAT</mark>" in text
    assert "<mark>Gated Audio Transformer</mark>" in text
    frame = re.search(r'<iframe src="(/entity/[^"]+/graph)"', text)
    assert frame is not None and frame.group(1).startswith(f"/entity/{GAT}")


def test_an_entity_page_by_key_is_the_same_page(explorer):
    by_name = page(explorer, "/entity/Gated%20Audio%20Transformer")
    key = re.search(rf'src="/entity/({GAT}[0-9a-f]+)/graph"', by_name.text)
    assert key is not None
    by_key = page(explorer, f"/entity/{key.group(1)}")
    assert by_key.status_code == 200
    assert by_key.text == by_name.text


def test_an_entity_graph_is_a_vis_network_page_centred_on_it(explorer):
    reply = page(explorer, "/entity/GAT/graph")
    assert reply.status_code == 200
    assert "vis.Network" in reply.text
    assert "Gated Audio Transformer" in reply.text
    assert not re.search(r'(src|href)="(https?:)?//', reply.text)  # nothing from the network


def test_an_unknown_entity_is_404_with_the_closest_names(explorer):
    reply = page(explorer, "/entity/Audioset-2")
    assert reply.status_code == 404
    assert "no entity is named" in reply.text
    assert ("/entity/AudioSet", "", "AudioSet") in links(reply)


def test_a_paper_page_links_every_mention_to_its_entity(explorer, sample_store):
    reply = page(explorer, "/paper/sample-1")
    assert reply.status_code == 200
    mentions = [(href, text) for href, kind, text in links(reply) if kind.startswith("mention")]
    hrefs = dict((text, href) for href, text in mentions)
    assert hrefs["GAT"].startswith(f"/entity/{GAT}")
    assert hrefs["Gated Audio Transformer"] == hrefs["GAT"]
    assert hrefs["AudioSet"].startswith("/entity/audioset-")
    # Title and abstract: every mention the graph holds for the paper that does not overlap
    # another, each shown once, in the words of the text.
    assert len(mentions) == 16
    assert "<h1" in reply.text and 'class="mention type-method"' in reply.text
    assert "47.9" in reply.text  # its results
    followed = page(explorer, hrefs["AudioSet"])
    assert followed.status_code == 200
    assert "<h1>AudioSet" in followed.text


def test_a_paper_is_found_by_its_identifier_too(explorer):
    assert "Sound Event Classification" in page(explorer, "/paper/sample:1").text
    missing = page(explorer, "/paper/nothing-here")
    assert missing.status_code == 404
    assert "no paper has the key or identifier" in missing.text


def test_search_lists_entities_by_papers_and_papers_by_title(explorer):
    reply = page(explorer, "/search?q=AUDIO")
    assert reply.status_code == 200
    found = links(reply)
    entities = [text for href, _, text in found if href.startswith("/entity/")]
    papers = [text for href, _, text in found if href.startswith("/paper/")]
    assert entities == ["AudioSet", "Gated Audio Transformer", "Self-Supervised Audio Encoders"]
    assert papers == [
        "Speech Recognition with Self-Supervised Audio Encoders in Noisy Rooms",
        "Gated Audio Transformers for Sound Event Classification",
    ]
    # An alias finds its entity.
    by_alias = [
        text for href, _, text in links(page(explorer, "/search?q=gat")) if "/entity/" in href
    ]
    assert "Gated Audio Transformer" in by_alias


def test_an_empty_search_asks_for_words(explorer):
    reply = page(explorer, "/search?q=")
    assert reply.status_code == 200
    assert "Type part of a name" in reply.text
    assert "No entity has that" in page(explorer, "/search?q=zzzqqq").text


def test_page_key_and_marked_spans():
    assert page_key("https://w3id.org/paperkg/resource/paper/sample-1") == "sample-1"
    mentions = [
        {"start": 0, "end": 9, "entity": "e:a", "label": "Owlformer", "type": "Method"},
        {"start": 4, "end": 9, "entity": "e:b", "label": "former", "type": "Method"},  # inside
        {"start": 14, "end": 17, "entity": "e:c", "label": "owl", "type": "Task"},
        {"start": 30, "end": 40, "entity": "e:d", "label": "past", "type": "Task"},  # past the end
    ]
    spans = marked_spans("Owlformer for owl work", mentions)
    assert [(s.text, s.entity) for s in spans] == [
        ("Owlformer", "e:a"),
        (" for ", None),
        ("owl", "e:c"),
        (" work", None),
    ]


@pytest.mark.parametrize("path", ["/", "/entity/GAT", "/paper/sample-1", "/search?q=gat"])
def test_pages_load_only_their_own_scripts_and_styles(explorer, path):
    reply = page(explorer, path)
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert not re.search(r'(src|href)="(https?:)?//', reply.text)
    assert 'href="/static/explorer.css"' in reply.text
    assert page(explorer, "/static/explorer.css").status_code == 200
