"""Tests for clean_text: LaTeX, inline math, markup, hyphenation, and leaving plain text alone."""

from __future__ import annotations

import pytest

from kg.ingest import clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # LaTeX accents and text commands
        (r"Caf\'e and Schr{\"o}dinger", "Café and Schrödinger"),
        (r"\textbf{Bold} and \emph{stressed} words", "Bold and stressed words"),
        (r"{\em Short} note on \c{c}a and \v{s}", "Short note on ça and š"),
        (r"up by 5\% (see Fig.~3 \cite{someone2020})", "up by 5% (see Fig. 3 )"),
        # inline math kept readable
        (r"an $\alpha$-entmax layer", "an α-entmax layer"),
        (r"rotations of $360^{\circ}$", "rotations of 360°"),
        (r"runs in $O(n^2)$ time", "runs in O(n^2) time"),
        (r"and $O(n \log n)$ memory", "and O(n log n) memory"),
        (r"error $10^{-3}$ with $\frac{1}{2}$ of $\sqrt{d}$", "error 10^-3 with 1/2 of √d"),
        (r"vectors in $\mathbb{R}^d$ with $\epsilon \leq 0.1$", "vectors in ℝ^d with ε ≤ 0.1"),
        (r"the set $\{0,1\}^n$", "the set {0,1}^n"),
        # prices are not math
        ("costs $5 and $10 per run", "costs $5 and $10 per run"),
        # markup and entities
        ("<jats:p>Fast &amp; small</jats:p>", "Fast & small"),
        ("<jats:title>Abstract</jats:title><jats:p>We test.</jats:p>", "We test."),
        ("a <i>sparse</i> model", "a sparse model"),
        ("when x < 5 and y > 3", "when x < 5 and y > 3"),
        ("a <b and c> d", "a <b and c> d"),
        # hyphenation across a line break only
        ("a multi-\nmodal model", "a multimodal model"),
        ("an encoder-decoder model", "an encoder-decoder model"),
        ("a BERT-\nbased tagger", "a BERT-based tagger"),
        # whitespace and headings
        ("  many   spaces\n\tand lines  ", "many spaces and lines"),
        ("Abstract: We propose a model.", "We propose a model."),
        ("ABSTRACT. We propose a model.", "We propose a model."),
        ("Abstract syntax trees help parsers.", "Abstract syntax trees help parsers."),
        ("about ~10% fewer steps", "about ~10% fewer steps"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_plain_text_is_unchanged_apart_from_whitespace() -> None:
    text = "We train a 7B model on 2T tokens (see Sec. 3): it beats GPT-3 by 4.5 points!"
    assert clean_text(text) == text


def test_cleaning_is_idempotent_on_its_output() -> None:
    once = clean_text(r"\textit{Nystr\"{o}m} features at $O(n^{1.5})$ cost")
    assert once == "Nyström features at O(n^1.5) cost"
    assert clean_text(once) == once
