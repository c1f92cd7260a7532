"""The one place that mints IRIs for papers, authors, entities, mentions and links.

Every IRI is a pure function of the thing's identity and the base, so the same input
gives the same IRIs on every build.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

from kg.graph.terms import DEFAULT_BASE

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, max_length: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens.

    >>> slug("Diffusion Transformer (DiT)")
    'diffusion-transformer-dit'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:max_length].rstrip("-")


def short_hash(*parts: str, length: int = 10) -> str:
    """A short, stable hex digest of the parts."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


class IriMinter:
    """Mints the IRIs of one graph under ``base`` (which must end in ``/`` or ``#``).

    >>> IriMinter().paper("arxiv:2212.09058")
    rdflib.term.URIRef('https://w3id.org/paperkg/resource/paper/arxiv-2212.09058')
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not base.endswith(("/", "#")):
            raise ValueError(f"IRI base must end with '/' or '#': {base!r}")
        self.base = base

    def paper(self, paper_id: str) -> URIRef:
        return URIRef(f"{self.base}paper/{quote(paper_id.replace(':', '-', 1), safe='.-_~')}")

    def author(self, name: str) -> URIRef:
        return URIRef(f"{self.base}author/{slug(name) or short_hash(name)}")

    def entity(self, key: str) -> URIRef:
        """An entity's IRI from its canonical key (see :mod:`kg.resolve`) alone, so it stays the
        same when more evidence changes the entity's type."""
        readable = slug(key, max_length=48) or "x"
        return URIRef(f"{self.base}entity/{readable}-{short_hash(key, length=8)}")

    def result(self, paper_id: str, field: str, start: int, end: int) -> URIRef:
        return URIRef(
            f"{self.base}result/{short_hash(paper_id, length=12)}-{field[0]}{start}-{end}"
        )

    def association(self, relation: str, source: str, target: str) -> URIRef:
        return URIRef(f"{self.base}association/{short_hash(relation, source, target, length=16)}")

    def cooccurrence(self, entity: str, papers: int) -> URIRef:
        """The node of the entities that ``papers`` papers name with the entity whose
        canonical key is ``entity``."""
        return URIRef(f"{self.base}cooccurrence/{short_hash(entity, str(papers), length=16)}")

    def mention(self, paper_id: str, field: str, start: int, end: int) -> URIRef:
        return URIRef(
            f"{self.base}mention/{short_hash(paper_id, length=12)}-{field[0]}{start}-{end}"
        )

    def link(self, paper_id: str, field: str, start: int, end: int) -> URIRef:
        """The link mention of a web address at ``start``/``end`` of a paper's ``field``."""
        return URIRef(f"{self.base}link/{short_hash(paper_id, length=12)}-{field[0]}{start}-{end}")

    def extraction(self, name: str) -> URIRef:
        return URIRef(f"{self.base}extraction/{slug(name)}")
