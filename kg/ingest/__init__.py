"""Readers that turn input files (listings, JSON, CSV, arXiv, OpenAlex, BibTeX) into papers.

Typical use::

    report = ReadReport()
    papers = list(read_papers(["papers.jsonl", "refs.bib"], report=report))

>>> detect_format.__module__, "bibtex" in SUPPORTED_FORMATS
('kg.ingest.registry', True)
"""

from __future__ import annotations

from kg.ingest.clean import clean_text
from kg.ingest.identity import paper_id
from kg.ingest.paper import Paper
from kg.ingest.registry import SUPPORTED_FORMATS, ReadReport, detect_format, read_papers

__all__ = [
    "SUPPORTED_FORMATS",
    "Paper",
    "ReadReport",
    "clean_text",
    "detect_format",
    "paper_id",
    "read_papers",
]
