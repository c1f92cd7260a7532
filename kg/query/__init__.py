"""Querying: SPARQL over a paperkg store."""

from __future__ import annotations

from kg.query.sparql import ResultFormat, SelectResult, read_query, run_query, select

__all__ = ["ResultFormat", "SelectResult", "read_query", "run_query", "select"]
