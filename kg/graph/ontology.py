"""Where the ontology and SHACL shapes are found at run time, installed or from a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from rdflib import Graph


def ontology_dir() -> Path:
    """The folder holding ``paperkg.ttl``, ``shapes.ttl`` and the example queries."""
    return Path(str(files("kg") / "data" / "ontology"))


def load_ontology() -> Graph:
    return Graph().parse(ontology_dir() / "paperkg.ttl", format="turtle")


def load_shapes() -> Graph:
    return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
