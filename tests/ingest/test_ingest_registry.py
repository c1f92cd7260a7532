"""Tests for format detection, the checks before reading, merging across files and the report."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from kg.errors import InputError, UnknownFormatError
from kg.ingest import SUPPORTED_FORMATS, ReadReport, detect_format, read_papers


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("listing.txt", "listing"),
        ("records.jsonl", "records"),
        ("records.json", "records"),
        ("papers.csv", "csv"),
        ("papers.tsv", "csv"),
        ("arxiv_feed.xml", "arxiv-atom"),
        ("arxiv_feed_partial.atom", "arxiv-atom"),
        ("arxiv_snapshot.jsonl", "arxiv-snapshot"),
        ("openalex_works.json", "openalex"),
        ("openalex_works.jsonl", "openalex"),
        ("refs.bib", "bibtex"),
    ],
)
def test_detect_format(data_dir: Path, name: str, expected: str) -> None:
    assert detect_format(data_dir / name) == expected


@pytest.mark.parametrize(
    ("source", "renamed", "expected"),
    [
        # The extension says JSON; only the content tells which kind.
        ("arxiv_snapshot.jsonl", "snapshot.json", "arxiv-snapshot"),
        ("openalex_works.jsonl", "works.json", "openalex"),
        ("records.json", "records.jsonl", "records"),
    ],
)
def test_detect_format_by_content(
    data_dir: Path, tmp_path: Path, source: str, renamed: str, expected: str
) -> None:
    path = tmp_path / renamed
    shutil.copy(data_dir / source, path)
    assert detect_format(path) == expected


def test_supported_formats_names_every_reader() -> None:
    assert set(SUPPORTED_FORMATS) == {
        "listing",
        "records",
        "csv",
        "arxiv-atom",
        "arxiv-snapshot",
        "openalex",
        "bibtex",
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.md", "# Notes\n\nSome text.\n"),
        ("settings.json", '{"theme": "dark", "size": 3}\n'),
        ("page.xml", "<html><body>not a feed</body></html>\n"),
        ("shopping.txt", "eggs\nmilk\n"),
    ],
)
def test_unknown_format_names_the_file_and_the_supported_formats(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UnknownFormatError) as caught:
        list(read_papers([path]))
    message = str(caught.value)
    assert str(path) in message
    for format_name in SUPPORTED_FORMATS:
        assert format_name in message
    assert ".jsonl" in message and ".bib" in message
    assert caught.value.path == path


def test_missing_file_raises_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    with pytest.raises(InputError, match="no such file") as caught:
        read_papers([missing])
    assert str(missing) in str(caught.value)


@pytest.mark.parametrize("kind", ["directory", "empty"])
def test_directories_and_empty_files_are_input_errors(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "input.jsonl"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_text("\n\n")
    with pytest.raises(InputError) as caught:
        read_papers([path])
    assert str(path) in str(caught.value)
    assert not isinstance(caught.value, UnknownFormatError)


def test_every_path_is_checked_before_any_file_is_read(data_dir: Path, tmp_path: Path) -> None:
    report = ReadReport()
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    # The error comes from the call itself, before any paper was asked for.
    with pytest.raises(UnknownFormatError):
        read_papers([data_dir / "records.jsonl", pdf], report=report)
    with pytest.raises(InputError):
        read_papers([data_dir / "records.jsonl", tmp_path / "missing.bib"], report=report)
    assert report.per_file == {}
    assert report.skipped == []


def test_same_doi_in_bibtex_and_openalex_is_one_paper(data_dir: Path) -> None:
    report = ReadReport()
    papers = list(
        read_papers([data_dir / "refs.bib", data_dir / "openalex_works.json"], report=report)
    )
    heron = [paper for paper in papers if paper.id == "doi:10.5555/heron.2022.42"]
    assert len(heron) == 1
    assert len(papers) == 3 + 2 - 1
    assert report.merged == 1
    # BibTeX came first and is kept; OpenAlex fills what it lacked.
    assert heron[0].source == f"{data_dir / 'refs.bib'}:3"
    assert heron[0].venue == "Journal of Imaginary Results"
    assert heron[0].url == "https://doi.org/10.5555/HERON.2022.42"
    assert report.per_file == {
        str(data_dir / "refs.bib"): 3,
        str(data_dir / "openalex_works.json"): 2,
    }
    assert report.formats[str(data_dir / "refs.bib")] == "bibtex"


def test_same_arxiv_id_in_feed_and_snapshot_is_one_paper(data_dir: Path) -> None:
    papers = list(read_papers([data_dir / "arxiv_feed.xml", data_dir / "arxiv_snapshot.jsonl"]))
    assert [paper.id for paper in papers].count("arxiv:2301.00002") == 1
    assert len(papers) == 3


def test_papers_keep_first_seen_order(data_dir: Path) -> None:
    papers = list(read_papers([data_dir / "listing.txt", data_dir / "records.json"]))
    assert [paper.title.split(":")[0] for paper in papers] == [
        "Lantern",
        "Quill",
        "Driftwood",
        "Ferry",
        "Kiln",
    ]


def test_skipped_records_are_logged_as_warnings(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    report = ReadReport()
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        list(read_papers([data_dir / "listing_dangling.txt"], report=report))
    warnings = [record for record in caplog.records if record.name == "kg.ingest"]
    assert len(warnings) == len(report.skipped) == 1
    assert f"{data_dir / 'listing_dangling.txt'}:7" in warnings[0].getMessage()
    assert "no abstract" in warnings[0].getMessage()


def test_the_same_file_given_twice_is_read_once(data_dir: Path) -> None:
    report = ReadReport()
    path = data_dir / "records.json"
    papers = list(read_papers([path, Path(str(path))], report=report))
    assert len(papers) == 2
    assert report.merged == 0


def test_a_single_path_is_accepted(data_dir: Path) -> None:
    assert len(list(read_papers(data_dir / "records.json"))) == 2
