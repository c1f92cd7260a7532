"""The one rule that gives every paper its stable id, whatever file it came from.

Priority: DOI, then arXiv id, then OpenAlex id, then the file's own id, then a title hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "normalise_arxiv_id",
    "normalise_doi",
    "normalise_openalex_id",
    "normalise_title",
    "paper_id",
]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")

_ARXIV_PREFIX = re.compile(
    r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)", re.IGNORECASE
)
# New-style ids (2212.09058) and old-style ones (hep-th/9901001, math.AG/0601001).
_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")

_OPENALEX = re.compile(r"^(?:https?://openalex\.org/|openalex:)?([WwAaSsIi]\d+)$")


def normalise_doi(value: str | None) -> str | None:
    """The bare lower-case DOI in ``value`` (a DOI, ``doi:`` or a doi.org URL), else None.

    >>> normalise_doi("https://doi.org/10.1145/ABC.123")
    '10.1145/abc.123'
    """
    if not value:
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).lower()
    return doi if _DOI.match(doi) else None


def normalise_arxiv_id(value: str | None) -> str | None:
    """The arXiv id in ``value`` without its version, else None.

    >>> normalise_arxiv_id("http://arxiv.org/abs/2212.09058v1")
    '2212.09058'
    """
    if not value:
        return None
    text = _ARXIV_PREFIX.sub("", value.strip()).removesuffix(".pdf")
    found = _ARXIV.match(text)
    return found.group(1) if found else None


def normalise_openalex_id(value: str | None) -> str | None:
    """The OpenAlex key (``W123``) in ``value`` (a key or an openalex.org URL), else None."""
    if not value:
        return None
    found = _OPENALEX.match(value.strip())
    return found.group(1).upper() if found else None


def normalise_title(title: str) -> str:
    """NFKC, lower case, letters and digits only, single spaces: what makes two titles equal.

    >>> normalise_title("BERT: Pre-Training  of Deep   Transformers!")
    'bert pre training of deep transformers'
    """
    folded = unicodedata.normalize("NFKC", title).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def paper_id(
    *,
    title: str,
    doi: str | None = None,
    arxiv: str | None = None,
    openalex: str | None = None,
    own: str | None = None,
    url: str | None = None,
) -> str:
    """The stable id of a paper from whatever identifiers its record carries.

    ``own`` is the id the file gave; it is recognised when it is in fact a DOI, an arXiv or an
    OpenAlex id, and otherwise kept as given. ``url`` counts when it is a doi.org or arxiv.org
    address, so the same paper read from two formats gets the same id.

    >>> paper_id(title="X", doi="10.1234/ABC", arxiv="2212.09058")
    'doi:10.1234/abc'
    >>> paper_id(title="X", own="http://arxiv.org/abs/2212.09058v2")
    'arxiv:2212.09058'
    >>> paper_id(title="Attention, please!")
    'title:17ac8efbf8ef111f'
    """
    own = own.strip() if own else None
    found_doi = normalise_doi(doi) or normalise_doi(own) or normalise_doi(url)
    if found_doi:
        return f"doi:{found_doi}"
    found_arxiv = normalise_arxiv_id(arxiv) or normalise_arxiv_id(own) or normalise_arxiv_id(url)
    if found_arxiv:
        return f"arxiv:{found_arxiv}"
    found_openalex = normalise_openalex_id(openalex) or _openalex_url(own)
    if found_openalex:
        return f"openalex:{found_openalex}"
    if own:
        return own
    return "title:" + hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]


def _openalex_url(value: str | None) -> str | None:
    # A bare "W123" given as a file's own id is too ambiguous to claim as OpenAlex's.
    if value and value.lower().startswith(("https://openalex.org/", "openalex:")):
        return normalise_openalex_id(value)
    return None
