"""Tests for each format's reader: fields, ids, and skipped records with their file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError, RecordError
from kg.ingest import Paper, ReadReport, read_papers


def read(path: Path) -> tuple[list[Paper], ReadReport]:
    report = ReadReport()
    return list(read_papers([path], report=report)), report


def skipped_lines(report: ReadReport) -> list[int | None]:
    return [error.line for error in report.skipped]


# --- listing text ---------------------------------------------------------------------------


def test_listing_reads_title_abstract_pairs_and_passes_over_page_furniture(
    data_dir: Path,
) -> None:
    papers, report = read(data_dir / "listing.txt")
    assert [paper.title.split(":")[0] for paper in papers] == ["Lantern", "Quill", "Driftwood"]
    assert [paper.source for paper in papers] == [
        f"{data_dir / 'listing.txt'}:{line}" for line in (9, 13, 23)
    ]
    assert report.skipped == []
    assert all(paper.id.startswith("title:") for paper in papers)


def test_listing_joins_a_wrapped_abstract(data_dir: Path) -> None:
    papers, _ = read(data_dir / "listing.txt")
    quill = papers[1].abstract
    assert "\n" not in quill
    assert "We present Quill, a training recipe" in quill
    assert "on a multidomain benchmark" in quill


def test_listing_dangling_title_is_skipped_with_its_line(data_dir: Path) -> None:
    papers, report = read(data_dir / "listing_dangling.txt")
    assert [paper.title.split(":")[0] for paper in papers] == ["Orchard", "Beacon"]
    assert skipped_lines(report) == [7]
    assert "no abstract" in report.skipped[0].reason


# --- JSON records ---------------------------------------------------------------------------


def test_jsonl_fields_ids_and_authors(data_dir: Path) -> None:
    papers, report = read(data_dir / "records.jsonl")
    by_title = {paper.title.split(":")[0]: paper for paper in papers}
    assert set(by_title) == {"Folding Tables", "Wren", "Marginalia"}

    folding = by_title["Folding Tables"]
    assert folding.id == "toyconf2024:p17"
    assert folding.authors == ("Mira Okafor", "Tomas Lindqvist")
    assert folding.year == 2024
    assert folding.url == "https://example.org/p17"

    wren = by_title["Wren"]
    assert wren.id == "doi:10.5555/wren.2023"
    assert wren.authors == ("Ines Duarte", "Kofi Mensah")
    assert wren.year == 2023
    assert wren.venue == "Workshop on Edge Audio"

    marginalia = by_title["Marginalia"]
    assert marginalia.title == "Marginalia: Mining Reviewer Comments for Actionable Feedback"
    assert marginalia.abstract.startswith("Peer reviews mix praise")
    assert "1,200 review sentences" in marginalia.abstract
    assert marginalia.authors == ("Wei Chen", "Petra Novak")
    assert marginalia.id.startswith("title:")
    assert report.skipped == []


def test_jsonl_same_id_twice_in_one_file_is_merged(data_dir: Path) -> None:
    papers, report = read(data_dir / "records.jsonl")
    folding = [paper for paper in papers if paper.id == "toyconf2024:p17"]
    assert len(folding) == 1
    # The first record wins; the later one only fills the venue the first one lacked.
    assert folding[0].abstract.startswith("Scanned forms")
    assert folding[0].venue == "ToyConf"
    assert report.merged == 1
    assert report.per_file[str(data_dir / "records.jsonl")] == 4


def test_jsonl_malformed_lines_are_skipped_with_line_numbers(data_dir: Path) -> None:
    papers, report = read(data_dir / "records_broken.jsonl")
    assert [paper.title.split(":")[0] for paper in papers] == ["Sundial", "Lattice"]
    assert skipped_lines(report) == [2, 3, 5, 6]
    reasons = [error.reason for error in report.skipped]
    assert reasons[0].startswith("not valid JSON")
    assert report.skipped[0].column == 67
    assert reasons[1] == "record has no abstract"
    assert "'year'" in reasons[2]
    assert "expected a JSON object" in reasons[3]
    assert all(error.path == data_dir / "records_broken.jsonl" for error in report.skipped)
    assert papers[1].authors == ("Rosa Kim", "Jae Park")


def test_json_array_records_carry_the_line_their_object_starts_on(data_dir: Path) -> None:
    papers, report = read(data_dir / "records.json")
    assert [paper.source for paper in papers] == [
        f"{data_dir / 'records.json'}:2",
        f"{data_dir / 'records.json'}:10",
    ]
    assert [paper.id for paper in papers] == ["local-7", "arxiv:2405.01234"]
    assert skipped_lines(report) == [9]


def test_json_syntax_error_in_a_document_raises_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"title": "A", "abstract": "B"},\n  {"title": "C" "abstract": 1}\n]\n')
    with pytest.raises(RecordError) as caught:
        list(read_papers([path]))
    assert (caught.value.line, caught.value.column) == (3, 17)
    assert str(path) in str(caught.value)


# --- CSV and TSV ----------------------------------------------------------------------------


def test_csv_headers_any_case_and_multiline_cells(data_dir: Path) -> None:
    papers, report = read(data_dir / "papers.csv")
    assert [paper.title.split(":")[0] for paper in papers] == ["Ember", "Spindle"]
    ember, spindle = papers
    assert ember.abstract.endswith(
        "warm-start a new search, reaching good settings in a third of the trials."
    )
    assert ember.authors == ("Jonas Hale", "Adele Moreau")
    assert ember.year == 2022
    assert ember.venue == "AutoML Workshop"
    assert spindle.authors == ("Omar Haddad", "Yuki Sato")
    assert spindle.venue is None
    assert [paper.source for paper in papers] == [
        f"{data_dir / 'papers.csv'}:2",
        f"{data_dir / 'papers.csv'}:5",
    ]
    assert skipped_lines(report) == [4]


def test_tsv_with_summary_column(data_dir: Path) -> None:
    papers, _ = read(data_dir / "papers.tsv")
    assert len(papers) == 1
    assert papers[0].abstract.startswith("Captions that mention")
    assert papers[0].authors == ("Freya Lund",)


def test_csv_without_abstract_column_is_an_input_error(data_dir: Path) -> None:
    with pytest.raises(InputError, match="no abstract column") as caught:
        list(read_papers([data_dir / "no_abstract_column.csv"]))
    assert "no_abstract_column.csv" in str(caught.value)


# --- arXiv ----------------------------------------------------------------------------------


def test_arxiv_atom_entries(data_dir: Path) -> None:
    papers, report = read(data_dir / "arxiv_feed.xml")
    thimble, loom = papers
    assert thimble.id == "arxiv:2301.00002"
    assert thimble.title == "Thimble: Small Probes for Large Vision Encoders"
    assert thimble.abstract.startswith("We attach probes")
    assert "360° orientation" in thimble.abstract
    assert "fine-tuning & at a fraction" in thimble.abstract
    assert thimble.authors == ("Sofia Marchetti", "Dae-Jung Yoon")
    assert thimble.year == 2023
    assert thimble.url == "http://arxiv.org/abs/2301.00002v2"
    assert thimble.source == f"{data_dir / 'arxiv_feed.xml'}:8"
    # An entry with a DOI is known by its DOI, so other formats can meet it.
    assert loom.id == "doi:10.5555/loom.2023.7"
    assert report.skipped == []


def test_arxiv_atom_entries_without_summary_or_arxiv_id_are_skipped(data_dir: Path) -> None:
    papers, report = read(data_dir / "arxiv_feed_partial.atom")
    assert [paper.id for paper in papers] == ["arxiv:hep-th/9901001"]
    assert skipped_lines(report) == [5, 11]
    assert report.skipped[0].reason == "record has no abstract"
    assert "not an arXiv abstract address" in report.skipped[1].reason


def test_arxiv_atom_that_is_not_well_formed_raises_with_line(data_dir: Path) -> None:
    with pytest.raises(RecordError, match="not well-formed XML") as caught:
        list(read_papers([data_dir / "arxiv_broken.xml"]))
    assert caught.value.line == 7


def test_arxiv_snapshot_lines(data_dir: Path) -> None:
    papers, report = read(data_dir / "arxiv_snapshot.jsonl")
    thimble, signals = papers
    assert thimble.id == "arxiv:2301.00002"
    assert thimble.authors == ("Sofia Marchetti", "Dae-Jung Yoon")
    assert thimble.year == 2023  # the first version, not the update date
    assert thimble.url == "https://arxiv.org/abs/2301.00002"
    assert signals.id == "doi:10.5555/srsv.2008"  # the first of two DOIs
    assert signals.title == "Sparse Recovery of Slowly Varying Signals"
    assert signals.authors == ("J. Nemo", "K. Kröger", "L. Quist")
    assert signals.year == 2008
    assert "an ℓ_1 penalty" in signals.abstract
    assert skipped_lines(report) == [3]
    assert report.skipped[0].reason == "record has an empty title"


# --- OpenAlex -------------------------------------------------------------------------------


def test_openalex_results_page(data_dir: Path) -> None:
    papers, report = read(data_dir / "openalex_works.json")
    heron, cairn = papers
    assert heron.id == "doi:10.5555/heron.2022.42"
    assert heron.abstract == "Heron skims a long document before reading a few passages."
    assert heron.authors == ("Maya Castellanos", "Pieter de Wit")
    assert heron.year == 2022
    assert heron.venue == "Journal of Imaginary Results"
    assert heron.url == "https://doi.org/10.5555/HERON.2022.42"
    assert heron.source == f"{data_dir / 'openalex_works.json'}:4"
    assert cairn.id == "openalex:W4000000002"
    assert cairn.title.startswith("Cairn:")  # from display_name when title is null
    assert cairn.venue is None
    assert cairn.url == "https://openalex.org/W4000000002"
    assert skipped_lines(report) == [27]


def test_openalex_json_lines_with_a_malformed_inverted_index(data_dir: Path) -> None:
    papers, report = read(data_dir / "openalex_works.jsonl")
    assert [paper.abstract for paper in papers] == ["Fjord is deep and narrow."]
    assert papers[0].authors == ("Ola Nordmann",)
    assert skipped_lines(report) == [2]
    assert "abstract_inverted_index" in report.skipped[0].reason


# --- BibTeX ---------------------------------------------------------------------------------


def test_bibtex_entries_decode_latex_and_names(data_dir: Path) -> None:
    papers, _ = read(data_dir / "refs.bib")
    heron, cafe, dune = papers
    assert heron.id == "doi:10.5555/heron.2022.42"
    assert heron.title == "Heron: Wading Through Long Documents with Skim Reading"
    assert heron.abstract.endswith("It is 2× faster than reading everything.")
    assert heron.authors == ("Maya Castellanos", "Pieter de Wit")
    assert cafe.id == "arxiv:2104.05555"
    assert cafe.title == "Café Conversations: Dialogue Grounding in München"
    assert cafe.authors == ("Jörg Müller", "Research Collective on Dialogue")
    assert cafe.venue == "Proceedings of the Workshop on Grounded Dialogue"
    assert cafe.year == 2021
    assert dune.source == f"{data_dir / 'refs.bib'}:32"


def test_bibtex_entry_without_abstract_and_broken_block_are_skipped(data_dir: Path) -> None:
    _, report = read(data_dir / "refs.bib")
    assert skipped_lines(report) == [22, 28]
    assert "'noabstract2020' has no abstract field" in report.skipped[0].reason
    assert report.skipped[1].reason.startswith("BibTeX block could not be parsed")
