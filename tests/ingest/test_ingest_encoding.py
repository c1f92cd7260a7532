"""Tests for reading input files that are not UTF-8: detection, the warning, binary data."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import ReadReport, detect_format, read_papers

TITLE = "Réseaux «légers» pour la détection d'objets à Zürich"
ABSTRACT = (
    "Nous étudions la détection d'objets à l'aide de réseaux très légers. "
    "Über die Qualität: les résultats sont à peine inférieurs à ceux des grands modèles."
)
# Characters Windows-1252 has and Latin-1 lacks: curly quotes, dashes, the euro sign.
CP1252_TITLE = "The “Café” Benchmark — Costing Models in €"
CP1252_ABSTRACT = (
    "We price each model’s inference in euros – per request… and find the café’s "
    "espresso machine draws more power than the model. Straße and façade stay intact."
)

_WARNING = re.compile(r"^(?P<path>.+): not UTF-8; read as (?P<encoding>\S+), the encoding detected")


def _jsonl(title: str, abstract: str) -> str:
    return f'{{"title": "{title}", "abstract": "{abstract}"}}\n'


def _encoding_warned(caplog: pytest.LogCaptureFixture, path: Path) -> str:
    """The encoding named by the one warning about ``path``."""
    found = [_WARNING.match(r.getMessage()) for r in caplog.records if r.levelname == "WARNING"]
    named = [m for m in found if m is not None and m.group("path") == str(path)]
    assert len(named) == 1, [r.getMessage() for r in caplog.records]
    return named[0].group("encoding")


def test_latin1_json_lines_are_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "latin1.jsonl"
    data = (_jsonl(TITLE, ABSTRACT) + _jsonl("Über Übersetzung", ABSTRACT)).encode("latin-1")
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        papers = list(read_papers(path))
    assert [p.title for p in papers] == [TITLE, "Über Übersetzung"]
    assert [p.abstract for p in papers] == [ABSTRACT, ABSTRACT]
    encoding = _encoding_warned(caplog, path)
    assert data.decode(encoding) == data.decode("latin-1")


def test_cp1252_csv_is_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "windows.csv"
    path.write_bytes(f'title,abstract\n"{CP1252_TITLE}","{CP1252_ABSTRACT}"\n'.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [paper] = list(read_papers(path))
    assert (paper.title, paper.abstract) == (CP1252_TITLE, CP1252_ABSTRACT)
    assert _encoding_warned(caplog, path) == "cp1252"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path, caplog, codec):
    path = tmp_path / "wide.jsonl"
    text = _jsonl(TITLE, ABSTRACT)
    # Python writes a byte-order mark only for the codecs without an explicit byte order.
    path.write_bytes(("\ufeff" if codec.endswith("-be") else "").encode(codec) + text.encode(codec))
    assert detect_format(path) == "records"
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [paper] = list(read_papers(path))
    assert (paper.title, paper.abstract) == (TITLE, ABSTRACT)
    assert _encoding_warned(caplog, path).startswith("utf_")


@pytest.mark.parametrize(
    ("codec", "title", "abstract"),
    [
        # A few accented words, where likeness to a language says little.
        ("latin-1", "Détection rapide à Zürich", "Nous étudions la détection d'objets."),
        ("cp1250", "Příliš žluťoučký kůň úpěl ódy", "Řeč a věda jsou důležité pro lidi."),
        ("cp1251", "Модели для распознавания речи", "Мы изучаем модели."),
    ],
)
def test_short_texts_in_a_single_byte_encoding(tmp_path, caplog, codec, title, abstract):
    path = tmp_path / "short.jsonl"
    path.write_bytes(_jsonl(title, abstract).encode(codec))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [paper] = list(read_papers(path))
    assert (paper.title, paper.abstract) == (title, abstract)
    _encoding_warned(caplog, path)


LATIN1_FILES = {
    "refs.bib": f"@article{{a,\n  title = {{{TITLE}}},\n  abstract = {{{ABSTRACT}}},\n}}\n",
    "listing.txt": f"{TITLE}\n\n{ABSTRACT} {ABSTRACT}\n",
    "papers.tsv": f"title\tabstract\n{TITLE}\t{ABSTRACT}\n",
    "records.json": f'[{{"title": "{TITLE}", "abstract": "{ABSTRACT}"}}]',
}


@pytest.mark.parametrize("name", sorted(LATIN1_FILES))
def test_every_text_format_is_decoded_alike(tmp_path, caplog, name):
    path = tmp_path / name
    path.write_bytes(LATIN1_FILES[name].encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [paper] = list(read_papers(path))
    assert paper.title == TITLE
    assert paper.abstract.startswith(ABSTRACT)
    _encoding_warned(caplog, path)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_is_read_without_detection_or_warning(tmp_path, caplog, monkeypatch, bom):
    import charset_normalizer

    def no_detection(*args, **kwargs):
        raise AssertionError("UTF-8 input went through encoding detection")

    monkeypatch.setattr(charset_normalizer, "from_bytes", no_detection)
    path = tmp_path / "utf8.jsonl"
    path.write_bytes(bom + _jsonl(TITLE, ABSTRACT).encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [paper] = list(read_papers(path))
    assert (paper.title, paper.abstract) == (TITLE, ABSTRACT)
    assert caplog.records == []


def test_a_multibyte_character_cut_by_the_head_is_no_reason_to_detect(tmp_path, monkeypatch):
    import charset_normalizer

    monkeypatch.setattr(charset_normalizer, "from_bytes", None)
    path = tmp_path / "long.jsonl"
    # Enough "é" (two bytes each) after an odd prefix that the first 8 KB end inside one.
    path.write_text(_jsonl("x" + "é" * 5000, ABSTRACT), encoding="utf-8")
    [paper] = list(read_papers(path))
    assert paper.title == "x" + "é" * 5000


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("image.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
        ("zeros.csv", bytes(4096)),
        ("archive.bib", b"PK\x03\x04\x14\x00\x08\x00" + bytes(range(256)) * 8),
    ],
)
def test_binary_data_is_refused_before_reading(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    report = ReadReport()
    with pytest.raises(InputError) as caught:
        list(read_papers([path], report=report))
    assert str(caught.value) == (
        f"{path}: not a text file (binary data); give the papers as text, such as JSON Lines, "
        "CSV, BibTeX or a listing, preferably saved as UTF-8"
    )
    assert report.per_file == {}
