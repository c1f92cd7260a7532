"""Span hygiene: the edges and shapes a name never has, applied to every extractor's spans.

A name never starts or ends with a function word or a verb ("adversarial learning of",
"store high-resolution"), is never a lone adjective or adverb ("Scalable", "fully",
"end-to-end"), a lone head noun ("Benchmark", "framework"), a formula fragment
("Delta(Pmn),i") or a whole title or clause. Spans with bad edges are trimmed; what is left,
if it is not a name, is dropped. Works on spelling and closed word classes only, since the
pipeline has no tagger.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from kg.nlp import lexicon
from kg.nlp.docview import DocView, view

#: Closed-class words: determiners, prepositions, conjunctions, pronouns, auxiliaries.
FUNCTION_WORDS = frozenset(
    """
    a an the this that these those such some any each every either neither no its their our
    his her my your of for in on at to by with from via into onto over under than as about
    across after against along among around before behind below beneath beside between beyond
    during except inside near off outside per since through throughout toward towards upon
    within without and or nor but yet so if then whether while whereas because although though
    unless until when where which who whom whose what how why we they it he she i you us them
    is are was were be been being am do does did has have had can could may might must shall
    should will would not also very more most less least both all only just even
    """.split()
)

#: Verbs of abstracts, in their base form; :func:`is_verb` also knows their inflections.
#: Words that are also heads of names ("learning", "parsing", "modeling") are left out.
_VERB_BASES = """
    achieve adapt add address adopt advance affect aim allow analyse analyze apply assess
    attain augment avoid beat become benchmark benefit boost bridge build capture combine
    compare compute conduct consider construct contain convert create decode define
    demonstrate derive describe design detect determine develop discover discuss distil
    distill draw employ enable encode enhance ensure establish estimate evaluate
    examine exceed exhibit explain
    exploit explore extend extract facilitate find focus follow formulate gain generate
    give handle help highlight identify illustrate implement improve include incorporate
    increase integrate introduce investigate involve lead learn leverage lie make maintain
    measure mitigate need observe obtain offer outperform overcome perform present preserve
    produce propose prove provide reach realize realise receive reduce refine release rely
    remain render report represent require reveal scale select serve show solve store
    study suffer suggest support surpass synthesize synthesise tackle take target test
    train transfer treat uncover understand use utilize utilise validate verify yield
"""


def _inflections(base: str) -> set[str]:
    stem = base[:-1] if base.endswith("e") else base
    third = base + "es" if base.endswith(("s", "sh", "ch", "x", "z")) else base + "s"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        third = base[:-1] + "ies"
        return {base, third, base[:-1] + "ied", base + "ing"}
    return {base, third, stem + "ed", stem + "ing", base + "ed", base + "ing"}


_NAME_HEADS = lexicon.TASK_HEADS | lexicon.METHOD_HEADS | lexicon.WEAK_METHOD_HEADS
VERBS = frozenset(
    form for base in _VERB_BASES.split() for form in _inflections(base) if form not in _NAME_HEADS
) | frozenset({"made", "found", "led", "shown", "given", "taken", "drawn", "built", "learnt"})

#: Endings of adjectives and adverbs that stand alone as no name ("scalable", "fully").
_MODIFIER_ENDINGS = (
    "ly", "able", "ible", "ous", "ful", "less", "ive", "ical", "istic", "ary", "ent", "ant",
)  # fmt: skip
#: Last parts of hyphenated adjectives: "task-agnostic", "end-to-end", "data-driven".
_COMPOUND_MODIFIERS = frozenset(
    """
    agnostic aware based free specific level scale wise like end driven guided efficient
    invariant dependent independent oriented centric friendly grained resolution quality
    dimensional order shot step stage time world art domain
    """.split()
)
#: Lone words with a modifier's ending that are nouns names are made of.
_NOUNS_WITH_MODIFIER_ENDINGS = frozenset(
    """
    objective objectives derivative derivatives alternative alternatives gradient gradients
    agent agents component components element elements embedding segment segments
    assistant assistants variant variants descent ensemble student students
    """.split()
)
#: Head nouns that, alone, name a kind of thing and not a thing ("Benchmark", "Dataset",
#: "framework").
_LONE_HEADS = lexicon.DATASET_HEADS | lexicon.WEAK_METHOD_HEADS | {"data"}
_FORMULA = re.compile(r"[=^\\_{}∑∏√≤≥±∈]|,\S|\w\(\w+\)\W|^\W|\(\w{0,3}$")


#: Verbs that are as often nouns at a name's edge ("transfer learning", "user study",
#: "evaluation measures"): only their -ed and -ing forms are cut there.
_ALSO_NOUNS = frozenset(
    form
    for base in """
        transfer design test study measure report scale gain release need target benchmark
        draw lead focus aim support offer use answer control change increase return review
        query score sample search step plan lack estimate map model train yield reach capture
        render exploit produce select extract compute build bridge boost filter
    """.split()
    for form in _inflections(base)
    if not form.endswith(("ed", "ing"))
)


def _cut_at_edge(word: str, lower: str) -> bool:
    return is_verb(word) and lower not in _ALSO_NOUNS


def is_verb(word: str) -> bool:
    """Whether a word is one of the verbs abstracts use, in any form.

    >>> is_verb("helps"), is_verb("store"), is_verb("synthesizing"), is_verb("learning")
    (True, True, True, False)
    >>> is_verb("BEATs"), is_verb("Beats")
    (False, True)
    """
    if any(c.isupper() for c in word[1:]):
        return False  # a name spelt like a verb: "BEATs", "SHOW"
    return word.lower() in VERBS


def is_modifier(word: str) -> bool:
    """Whether a word is an adjective or adverb by its spelling, which alone names nothing.

    >>> [is_modifier(w) for w in ("Scalable", "fully", "end-to-end", "task-agnostic")]
    [True, True, True, True]
    >>> [is_modifier(w) for w in ("BERT", "retrieval", "gradient", "ResNet-50", "Transformer")]
    [False, False, False, False, False]
    """
    if any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:]):
        return False
    lower = word.lower()
    if lower in _NOUNS_WITH_MODIFIER_ENDINGS:
        return False
    if "-" in lower:
        return lower.rsplit("-", 1)[-1] in _COMPOUND_MODIFIERS
    return lower.endswith(_MODIFIER_ENDINGS) and len(lower) > 4


def is_formula(text: str) -> bool:
    """Whether a span is a piece of a formula rather than a name.

    >>> is_formula("Delta(Pmn),i"), is_formula("O(1/t"), is_formula("x_i^2")
    (True, True, True)
    >>> is_formula("GPT-4"), is_formula("CIFAR-10/100"), is_formula("BLEU@4")
    (False, False, False)
    """
    return bool(_FORMULA.search(text)) or text.count("(") != text.count(")")


def _opens_badly(words: DocView, start: int, end: int) -> bool:
    """A function word or verb that starts no name; a gerund only when two or more words
    follow it ("Benchmarking Object Detection", but "Generating Biographies")."""
    word = words.words[start]
    if words.lower[start] in FUNCTION_WORDS:
        return True
    if not _cut_at_edge(word, words.lower[start]):
        return False
    return not words.lower[start].endswith("ing") or end - start > 2


def _closes_badly(words: DocView, i: int) -> bool:
    """A function word or verb that ends no name; a gerund may ("model boosting")."""
    lower = words.lower[i]
    if lower in FUNCTION_WORDS:
        return True
    return _cut_at_edge(words.words[i], lower) and not lower.endswith("ing")


def _is_finite_verb(words: DocView, i: int) -> bool:
    """A verb that makes a clause of the words around it ("Pre-training Helps NER"): a
    third-person form, not part of a hyphenated word ("pre-trained", "large-scale")."""
    word = words.words[i]
    if words.words[i - 1] == "-" or (i + 1 < len(words.words) and words.words[i + 1] == "-"):
        return False
    return word.endswith("s") and is_verb(word) and not word.isupper()


def _balanced(words: DocView, start: int, end: int) -> tuple[int, int]:
    """The span without an unclosed bracket and what follows it ("WiTQA (Wikipedia Triple"
    -> "WiTQA"), or what follows an unopened one."""
    depth = 0
    for i in range(start, end):
        if words.words[i] == "(":
            depth += 1
        elif words.words[i] == ")":
            if depth == 0:
                return (start, i) if i > start else (i + 1, end)
            depth -= 1
    if depth:
        opening = max(i for i in range(start, end) if words.words[i] == "(")
        return (start, opening) if opening > start else (opening + 1, end)
    return start, end


def clean_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The token span ``[start, end)`` of ``doc`` cut to a name, or None when no name is left.

    Function words and verbs go from both edges; a lone adjective or adverb, a formula
    fragment, a clause (a verb inside) and a span covering a whole title of more than
    three words are dropped. The title ends at the text's first blank line.
    """
    words = view(doc)
    while start < end and _opens_badly(words, start, end):
        start += 1
    while end > start and (_closes_badly(words, end - 1) or _is_punct(words.words[end - 1])):
        end -= 1
    if start >= end:
        return None
    start, end = _balanced(words, start, end)
    if start >= end:
        return None
    text = words.span_text(start, end)
    if " " not in text and (is_modifier(text) or text.lower() in _LONE_HEADS):
        return None
    if is_formula(text):
        return None
    if any(_is_finite_verb(words, i) for i in range(start + 1, end - 1)):
        return None
    title_end = words.title_end
    if (
        title_end
        and words.starts[start] == 0
        and words.starts[end - 1] + len(words.words[end - 1]) >= title_end
    ):
        if sum(not _is_punct(words.words[i]) for i in range(start, end)) > 3:
            return None
    return start, end


def _is_punct(word: str) -> bool:
    return not any(c.isalnum() for c in word)
