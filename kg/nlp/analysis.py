"""What extraction knows of one paper: its mentions, which of them it proposes, the results
its abstract states, and the links to code and pages it gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.ingest.paper import Paper
from kg.nlp.links import Link, code_methods, find_links, inside_link
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, extract_results
from kg.nlp.roles import proposed_flags


@dataclass(frozen=True, slots=True)
class PaperAnalysis:
    """One paper with its mentions (in text order), a proposed flag per mention, results, and
    links with, for each link, the mentions of the proposed methods whose code it is."""

    paper: Paper
    mentions: tuple[Mention, ...]
    proposed: tuple[bool, ...]
    results: tuple[ResultClaim, ...]
    links: tuple[Link, ...] = ()
    link_methods: tuple[tuple[Mention, ...], ...] = ()

    @property
    def own_method(self) -> Mention | None:
        """The first method the paper proposes, the subject of "our method achieves ..."."""
        return next(
            (
                m
                for m, own in zip(self.mentions, self.proposed, strict=True)
                if own and m.label is Label.METHOD
            ),
            None,
        )


def analyse(paper: Paper, mentions: Sequence[Mention]) -> PaperAnalysis:
    """Roles, results and links on top of a paper's mentions; a mention inside a web address
    names a piece of the address, not an entity, and is dropped."""
    links = tuple(find_links(paper))
    ordered = tuple(
        sorted(
            (m for m in mentions if not inside_link(m, links)),
            key=lambda m: (m.field != "title", m.start),
        )
    )
    flags = tuple(proposed_flags(paper, ordered))
    own = next(
        (m for m, f in zip(ordered, flags, strict=True) if f and m.label is Label.METHOD), None
    )
    results = tuple(extract_results(paper, ordered, proposed=own))
    return PaperAnalysis(
        paper=paper,
        mentions=ordered,
        proposed=flags,
        results=results,
        links=links,
        link_methods=tuple(code_methods(paper, link, ordered, flags) for link in links),
    )
