"""Numeric result claims in titles and abstracts: the scores a paper reports ("50.6% mAP on X")
and the changes it claims ("+2.4 BLEU", "3x faster"), tied to their metric, dataset and method."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention

FIELDS = ("title", "abstract")
INCREASE = "increase"
DECREASE = "decrease"


class ResultKind(StrEnum):
    """A reported value (``SCORE``) or a change against something else (``RELATIVE``)."""

    SCORE = "score"
    RELATIVE = "relative"


@dataclass(frozen=True, slots=True)
class ResultClaim:
    """One number a paper states as a result.

    ``value`` is the number as written without its sign for a relative claim ("+2.4%" -> 2.4,
    direction ``"increase"``); ``unit`` is normalised ("×" and "times" -> ``"x"``, "percent" ->
    ``"%"``, "pp"/"pts" -> ``"points"``). ``text``, ``start`` and ``end`` locate the number and
    its unit in ``field`` of the :class:`~kg.ingest.Paper`; a change "from 21.4 to 18.9" is one
    claim whose text is that phrase. ``direction`` says whether the measured quantity goes up
    or down; it is ``None`` for a score and for a change whose sense the sentence leaves open.
    """

    kind: ResultKind
    value: float
    unit: str | None
    text: str
    field: str
    start: int
    end: int
    sentence: str
    method: Mention | None
    dataset: Mention | None
    metric: Mention | None
    direction: str | None = None


# --- the shape of a number --------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
# A digit glued to a name ("ResNet-50", "GPT-4", "x^2", "224×224") is part of that name.
_NOT_GLUED_BEFORE = r"(?<![\w.\-−–/^_{\\%±+×])"
# Nor is a number glued to what follows ("7B", "3D", "32-layer", "1.5.2", "224×224").
_NOT_GLUED_AFTER = r"(?![\w^_]|[.,]\d|\s?[x×]\s?\d|\$?\s?\\times\$?\s?\d|\\[A-Za-z]|-\w)"
# A sign only where a signed number can start ("(+2.4%)", " -1.3"), not "}-4" in a formula.
_SIGN = r"(?<![^\s(\[:;])(?P<sign>[+\-−])(?=\.?\d)"
_COMPARATIVE = r"faster|slower|fewer|more|less|smaller|larger|higher|lower|speed|cheaper|better"


def _unit(name: str) -> str:
    return (
        rf"(?P<{name}>"
        r"\s?(?:\\?%|percent)\s+points?\b"
        r"|\s?(?:\\?%|percent\b)"
        r"|\s?(?:[x×]|\$?\\times\$?)(?![A-Za-z]|\$?\s*\d)"
        rf"|\s+times(?=\s+(?:{_COMPARATIVE}))"
        r"|\s+(?:percentage\s+|absolute\s+)?(?:points?|pts|pp)\b"
        r"|\s?(?:dB|ms|fps|FPS)\b"
        r"|\s+(?:seconds?|hours?|GB|MB|[GTM]?FLOPs)\b"
        r")?"
    )


_NUMBER = re.compile(
    rf"(?:{_SIGN}|{_NOT_GLUED_BEFORE})(?P<num>{_NUM})" + _unit("unit") + _NOT_GLUED_AFTER
)
_RANGE = re.compile(
    _NOT_GLUED_BEFORE
    + rf"(?P<a>{_NUM})(?:\s?\\?%|[x×])?\s?[-–—]\s?(?P<b>{_NUM})"
    + _unit("unit")
    + _NOT_GLUED_AFTER
)
_FROM_TO = re.compile(
    rf"\bfrom\s+(?P<a>[+\-−]?{_NUM})(?P<ua>\s?\\?%|\s?(?:dB|ms)\b|\s+points?\b)?\s+to\s+"
    rf"(?P<b>[+\-−]?{_NUM})" + _unit("unit") + _NOT_GLUED_AFTER
)
_HAS_DIGIT = re.compile(r"\d")
_SPAN_BEFORE = re.compile(r"\b(?:rang\w*|var(?:y|ies|ied|ying)|spann?\w*)\s*$", re.IGNORECASE)

# Numbers that label or index something rather than measure it.
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:sections?|sec\.|tables?|tab\.|figures?|figs?\.|eqs?\.|equations?|appendix|"
    r"theorems?|lemmas?|chapters?|steps?|stages?|phases?|levels?|versions?|layers?|tasks?|"
    r"tracks?|subtasks?|parts?|rounds?|epochs?|days?|rank(?:ed|s)?|top|order)|\[)\s*$",
    re.IGNORECASE,
)
_VARIABLE_BEFORE = re.compile(r"(?<![\w-])[A-Za-z]\s*(?:=|<|>|≤|≥|≈)\s*$")
_SPREAD_BEFORE = re.compile(r"(?:±|\+/-|\+-)\s*$")
_CITATION = re.compile(r"\[[\d,\s–-]*$")
_CITATION_END = re.compile(r"[\d,\s–-]*\]")

# --- the language around a number -------------------------------------------------------------

# Words allowed between a number and the metric after it ("51.2% top-1 accuracy",
# "2.4% absolute improvement in accuracy").
_MODIFIER = (
    r"top-\d+|absolute|relative|average|avg\.?|mean|overall|zero-shot|few-shot|one-shot|"
    r"test|dev|validation|val|macro|micro|macro-averaged|micro-averaged|weighted|the|"
    r"state-of-the-art|sota|new|best|final|performance|scores?"
)
_CHANGE_UP = (
    r"improvements?|gains?|increases?|boosts?|higher|better|faster|more|larger|greater|"
    r"speed-?ups?|speed\s+up|acceleration|lift|uplift"
)
_CHANGE_DOWN = (
    r"reductions?|decreases?|drops?|declines?|lower|fewer|less|smaller|slower|cheaper|worse|"
    r"degradation|savings?|compression"
)
_RIGHT_GAP = re.compile(
    rf"(?:\s*(?:±|\+/-)\s*{_NUM})?"  # "91.2 ± 0.4 F1"
    rf"\s*(?:(?:{_MODIFIER}|{_CHANGE_UP}|{_CHANGE_DOWN})\s+){{0,4}}"
    r"(?P<prep>(?:in|of)\s+(?:the\s+|terms\s+of\s+)?)?",
    re.IGNORECASE,
)
_CHANGE_WORD = re.compile(rf"\b(?:{_CHANGE_UP}|{_CHANGE_DOWN})\b", re.IGNORECASE)
# Words allowed between a metric and the number after it ("an AP of 66.0", "F1 = 0.91",
# "reduces WER by 9%", "accuracy reaches 90%").
_LEFT_GAP = re.compile(
    r"\s*(?:(?:scores?|rates?|values?|results?|of|is|was|are|were|reaches|reached|reaching|"
    r"to|at|by|as|high|low|about|around|approximately|nearly|roughly|over|above|below|"
    r"under|up|only|just|more|less|than|least|improvements?|gains?|improved|increased|"
    r"reduced|decreased|improves|increases|reduces|decreases|drops|rises)\s*|[(=:≈~]\s*)*",
    re.IGNORECASE,
)
_SCORE_GAP = re.compile(r"(?:\bof|\bis|\bwas|=|:|\()\s*$", re.IGNORECASE)
_POINTS_AFTER = re.compile(r"\s+(?:percentage\s+|absolute\s+)?(?:points?|pts|pp)\b")
_LIST_GAP = re.compile(r"\s*(?:,|/)?\s*(?:and|or|vs\.?|versus)?\s*", re.IGNORECASE)

_QUALIFIER = (
    r"up\s+to|as\s+(?:much|many|few|little|high|low)\s+as|"
    r"an?\s+(?:average|(?:large\s+|wide\s+|significant\s+|clear\s+)?margin)\s+of|"
    r"about|around|approximately|roughly|nearly|almost|over|more\s+than|"
    r"at\s+least|less\s+than|below|under|above|a\s+further|an\s+additional|another|"
    r"additional|absolute|relative|only|an?|~"
)
_BY_BEFORE = re.compile(rf"\bby\s+(?:(?:{_QUALIFIER})\s*)*$", re.IGNORECASE)
_CHANGE_NOUN_BEFORE = re.compile(
    r"\b(?:(?P<up>improvements?|gains?|increases?|boosts?|speed-?ups?|margins?)|"
    r"(?P<down>reductions?|decreases?|drops?|declines?|degradations?))"
    r"(?:\s+(?:in|on)\s+[^,;\d]{1,40}?)?"
    rf"\s+(?:(?:of|by)\s+(?:(?:{_QUALIFIER})\s*)*|(?:(?:{_QUALIFIER})\s*)+)$",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    rf"\s*(?:(?:{_MODIFIER}|points?|pts|pp)\s+){{0,3}}"
    rf"(?:(?P<up>{_CHANGE_UP})|(?P<down>{_CHANGE_DOWN}))\b",
    re.IGNORECASE,
)
_VERB = re.compile(
    r"\b(?:(?P<up>improv\w*|increas\w*|boost\w*|rais(?:e|es|ed|ing)|gain\w*|outperform\w*|"
    r"surpass\w*|exceed\w*|beat(?:s|ing)?|enhanc\w*|accelerat\w*|speed(?:s|ing)?\s+up|"
    r"sped\s+up|lift\w*|advanc\w*)|"
    r"(?P<down>reduc\w*|lower(?:s|ed|ing)?|decreas\w*|cut(?:s|ting)?|drop(?:s|ped|ping)?|"
    r"declin\w*|shrink\w*|shrank|compress(?:es|ed|ing)?|degrad\w*|fall(?:s|ing)?|fell|"
    r"diminish\w*|lag\w*|trail\w*|underperform\w*|sav(?:e|es|ed|ing)|slash\w*|halv\w*))\b",
    re.IGNORECASE,
)
_VERB_BEFORE = re.compile(rf"{_VERB.pattern}\s+(?:(?:{_QUALIFIER})\s*)*$", re.IGNORECASE)
# A score a sentence reports without naming the metric next to it ("achieves 85.2% on X in
# top-1 accuracy") hangs on a verb of attainment.
_RESULT_VERB = re.compile(
    r"\b(?:achiev\w*|obtain\w*|reach\w*|attain\w*|scor(?:e|es|ed|ing)|yield\w*|record\w*|"
    r"deliver\w*|gets?|got|establish\w*|sets?|reports?|reported)\b",
    re.IGNORECASE,
)
_LOOSE_REACH = 50
_CHANGE_REACH = 60
_CHANGE_GAP_BLOCK = re.compile(r"[;()]|\b(?:while|whereas)\b", re.IGNORECASE)
_LOOSE_GAP_BLOCK = re.compile(r"[,;()]|\b(?:with|using|than|while|whereas|and)\b", re.IGNORECASE)
_LOOSE_BLOCK = re.compile(r"\b(?:with|using|given|while|requir\w*|trained|by)\b|[,;]")
# ... and a metric after the number comes in a phrase of its own ("85.2% on X in accuracy"),
# not after a noun the number counts ("90% sparsity at equal accuracy").
_LOOSE_AFTER = re.compile(r"\s+(?:on|in|for|at|across|over|under|when)\b", re.IGNORECASE)

_DATASET_GAP = re.compile(
    r"\s*(?:[A-Za-z-]+\s+){0,3}?(?:on|in|at|for|over|across|of|using|from)\s+[^,;:()\d]{0,60}",
    re.IGNORECASE,
)
_DATASET_GAP_BLOCK = re.compile(
    r"\b(?:than|while|whereas|but|compared|outperform\w*|surpass\w*)\b", re.IGNORECASE
)

# Methods named as what is compared against or built upon are not the subject of a result.
_NOT_SUBJECT_BEFORE = re.compile(
    r"(?:\b(?:outperform\w*|surpass\w*|beat(?:s|ing)?|exceed\w*|than|over|compared\s+(?:to|with)|"
    r"comparison\s+(?:to|with)|vs\.?|versus|against|relative\s+to|upon|like|such\s+as|"
    r"including|baselines?|with|using|via|based\s+on|built\s+on|on\s+top\s+of)|e\.g\.,?)\s+"
    r"(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
_OWN = re.compile(
    r"\b(?:our|ours|we|the\s+proposed|this\s+(?:model|method|approach|framework|system|network|"
    r"architecture|technique|work|paper))\b|\bit\s+(?:\w+\s+)?(?:achiev|reach|obtain|attain|"
    r"outperform|improv|yield|set|deliver|scor|surpass|reduc|boost|exceed|match)\w*",
    re.IGNORECASE,
)
_OTHERS = re.compile(
    r"\b(?:previous|prior|existing|baselines?|competing|conventional|traditional|"
    r"(?:current|other|state-of-the-art|sota)\s+(?:methods|models|approaches|systems))\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r";|\b(?:while|whereas|but)\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[\"'])")


@dataclass(slots=True)
class _Number:
    """A number found in a sentence, filled in step by step."""

    start: int
    end: int
    value: float
    unit: str | None
    sign: str | None = None
    change: bool = False  # "from A to B"
    is_range: bool = False
    relative: bool = False
    cue: str | None = None  # "before" ("by 2.4", "gains of 2.4") or "after" ("2.4% higher")
    direction: str | None = None
    metric: Mention | None = None
    metric_side: str | None = None  # "left", "right", "list", "rlist" (from a list) or "near"
    dataset: Mention | None = None


def extract_results(
    paper: Paper, mentions: Sequence[Mention], *, proposed: Mention | None = None
) -> list[ResultClaim]:
    """The result claims in ``paper``'s title and abstract, in reading order.

    A number becomes a claim only when the language around it makes it a result: a
    :data:`ResultKind.SCORE` needs a METRIC mention attached to it ("50.6% mAP", "an AP of
    66.0"); a :data:`ResultKind.RELATIVE` claim needs a sign ("+2.4"), a multiplier ("3x"),
    "by" after a verb of change, a change noun or comparative ("2.4% improvement", "30% fewer")
    or "from A to B". Numbers inside mentions, years, sizes and labels ("7B", "Table 2") are
    skipped. ``proposed`` is the paper's own method, credited when a sentence speaks of "our
    model", "we" or "it", or names no method of its own.

    >>> abstract = "Our model reaches 91.2% accuracy on FooBench, 3x faster than before."
    >>> def mention(text, label):
    ...     at = abstract.find(text)
    ...     return Mention(text, label, "abstract", at, at + len(text), abstract, 0.9, "rules")
    >>> paper = Paper(id="x", title="A title", abstract=abstract)
    >>> found = [mention("accuracy", Label.METRIC), mention("FooBench", Label.DATASET)]
    >>> [(c.kind.value, c.text, c.direction) for c in extract_results(paper, found)]
    [('score', '91.2%', None), ('relative', '3x', 'increase')]
    """
    claims: list[ResultClaim] = []
    for field in FIELDS:
        text = getattr(paper, field) or ""
        if not _HAS_DIGIT.search(text):
            continue
        in_field = sorted((m for m in mentions if m.field == field), key=lambda m: m.start)
        for start, end, group in _sentences(text, in_field):
            claims.extend(_sentence_claims(text, start, end, group, field, proposed))
    return claims


def _sentences(text: str, mentions: Sequence[Mention]) -> Iterator[tuple[int, int, list[Mention]]]:
    """Each sentence as (start, end, its mentions): those the mentions name, located by search
    (a sentence that occurs twice is told apart by the mention offsets), and the text between
    them split at full stops, so a sentence without mentions can still state a change."""
    occurrences: dict[str, list[int]] = {}
    groups: dict[int, tuple[int, list[Mention]]] = {}
    for mention in mentions:
        sentence = mention.sentence
        if not sentence:
            continue
        if sentence not in occurrences:
            occurrences[sentence] = _occurrences(text, sentence)
        start = next(
            (
                at
                for at in occurrences[sentence]
                if at <= mention.start and mention.end <= at + len(sentence)
            ),
            None,
        )
        if start is not None:
            groups.setdefault(start, (start + len(sentence), []))[1].append(mention)
    position = 0
    for start in sorted(groups):
        end, group = groups[start]
        if start < position:  # overlapping sentences: keep the first reading
            continue
        yield from _plain_sentences(text, position, start)
        yield start, end, group
        position = end
    yield from _plain_sentences(text, position, len(text))


def _occurrences(text: str, sentence: str) -> list[int]:
    found = []
    at = text.find(sentence)
    while at >= 0:
        found.append(at)
        at = text.find(sentence, at + 1)
    return found


def _plain_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int, list[Mention]]]:
    if not _HAS_DIGIT.search(text, start, end):
        return
    position = start
    for brk in [*_SENTENCE_BREAK.finditer(text, start, end), None]:
        stop = brk.start() if brk else end
        piece = text[position:stop]
        stripped = piece.strip()
        if stripped:
            first = position + piece.index(stripped)
            yield first, first + len(stripped), []
        position = brk.end() if brk else end


def _sentence_claims(
    text: str,
    start: int,
    end: int,
    mentions: list[Mention],
    field: str,
    proposed: Mention | None,
) -> list[ResultClaim]:
    if not _HAS_DIGIT.search(text, start, end):
        return []
    numbers = _numbers(text, start, end, mentions)
    if not numbers:
        return []
    metrics = [m for m in mentions if m.label is Label.METRIC]
    for number in numbers:
        _attach_adjacent_metric(text, number, metrics)
        _classify_change(text, start, end, number)
    _chain_lists(text, numbers)
    for i, number in enumerate(numbers):
        if number.metric is None:
            _attach_near_metric(text, start, end, numbers, i, metrics)
    # "increases from 12 to 24 layers" is no result: a change needs a metric or a unit.
    kept = [
        n
        for n in numbers
        if (n.relative or n.metric is not None)
        and not (n.change and n.metric is None and n.unit is None)
    ]
    if not kept:
        return []
    _attach_datasets(text, start, end, kept, [m for m in mentions if m.label is Label.DATASET])
    sentence = text[start:end]
    methods = [m for m in mentions if m.label is Label.METHOD]
    return [
        ResultClaim(
            kind=ResultKind.RELATIVE if n.relative else ResultKind.SCORE,
            value=n.value,
            unit=n.unit,
            text=text[n.start : n.end],
            field=field,
            start=n.start,
            end=n.end,
            sentence=sentence,
            method=_method(text, start, n, methods, proposed),
            dataset=n.dataset,
            metric=n.metric,
            direction=n.direction if n.relative else None,
        )
        for n in kept
    ]


def _numbers(text: str, start: int, end: int, mentions: list[Mention]) -> list[_Number]:
    spans = [(m.start, m.end) for m in mentions]
    taken: list[tuple[int, int]] = []
    numbers: list[_Number] = []

    def free(a: int, b: int) -> bool:
        return not any(s < b and a < e for s, e in spans) and not any(
            s < b and a < e for s, e in taken
        )

    for match in _FROM_TO.finditer(text, start, end):
        a, b = match.group("a"), match.group("b")
        if not free(match.start("a"), match.end()):
            continue
        taken.append((match.start(), match.end()))
        if _is_year(a) and _is_year(b):
            continue
        if _SPAN_BEFORE.search(text, max(start, match.start() - 20), match.start()):
            continue  # "sparsity ranging from 80% to 90%" spans values, it does not change one
        first, second = _signed(a), _signed(b)
        unit = _normalise_unit(match.group("unit") or match.group("ua"))
        places = max(_decimals(a), _decimals(b))
        diff = round(second - first, places)
        numbers.append(
            _Number(
                match.start(),
                match.end(),
                abs(diff),
                unit,
                change=True,
                relative=True,
                direction=INCREASE if diff > 0 else DECREASE if diff < 0 else None,
            )
        )
    for match in _RANGE.finditer(text, start, end):
        a, b = match.group("a"), match.group("b")
        if not free(match.start(), match.end()):
            continue
        # Claimed even when skipped below, so that its halves are not read as two numbers.
        taken.append((match.start(), match.end()))
        if (_is_year(a) and _is_year(b)) or _is_label(text, start, end, match.start()):
            continue
        # A range states a spread, reported by its upper end ("gains of 2-5%" -> 5).
        numbers.append(
            _Number(
                match.start(),
                match.end(),
                max(_value(a), _value(b)),
                _normalise_unit(match.group("unit")),
                is_range=True,
            )
        )
    for match in _NUMBER.finditer(text, start, end):
        if not free(match.start(), match.end()):
            continue
        num, sign, unit = match.group("num"), match.group("sign"), match.group("unit")
        if not unit and not sign and _is_year(num):
            continue
        if _is_label(text, start, end, match.start()):
            continue
        value = _value(num)
        numbers.append(
            _Number(
                match.start(),
                match.end(),
                value,
                _normalise_unit(unit),
                sign="-" if sign in ("-", "−") else sign,
            )
        )
    numbers.sort(key=lambda n: n.start)
    return numbers


def _is_year(num: str) -> bool:
    return num.isdigit() and len(num) == 4 and 1900 <= int(num) <= 2099


def _is_label(text: str, start: int, end: int, at: int) -> bool:
    before = text[max(start, at - 24) : at]
    return bool(
        _LABEL_BEFORE.search(before)
        or _VARIABLE_BEFORE.search(before)
        or _SPREAD_BEFORE.search(before)
        or (_CITATION.search(before) and _CITATION_END.match(text, at, end))
    )


def _value(num: str) -> float:
    return float(num.replace(",", ""))


def _signed(num: str) -> float:
    return -_value(num[1:]) if num[0] in "-−" else _value(num.lstrip("+"))


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _normalise_unit(raw: str | None) -> str | None:
    if not raw:
        return None
    unit = raw.strip().strip("$").lower()
    if unit in ("%", "\\%", "percent"):
        return "%"
    if unit in ("x", "×", "\\times", "times"):
        return "x"
    if unit.endswith(("points", "point", "pts", "pp")):
        return "points"
    return raw.strip()


def _attach_adjacent_metric(text: str, number: _Number, metrics: list[Mention]) -> None:
    """A metric written right after the number ("50.6% mAP") or right before it ("mAP of
    50.6"); the one after wins when both fit, being the tighter reading."""
    after = next((m for m in metrics if m.start >= number.end), None)
    if after is not None:
        gap = _RIGHT_GAP.fullmatch(text, number.end, after.start)
        if gap and (not gap.group("prep") or _CHANGE_WORD.search(gap.group(0))):
            number.metric, number.metric_side = after, "right"
            if number.unit is None and _POINTS_AFTER.match(text, after.end):
                number.unit = "points"  # "4.1 F1 points"
            return
    before = next((m for m in reversed(metrics) if m.end <= number.start), None)
    if before is not None and _LEFT_GAP.fullmatch(text, before.end, number.start):
        number.metric, number.metric_side = before, "left"


def _classify_change(text: str, start: int, end: int, number: _Number) -> None:
    if number.change:
        return
    before = text[max(start, number.start - 60) : number.start]
    if number.sign == "+":
        number.relative, number.direction = True, INCREASE
        return
    if number.sign == "-":
        # "a log-likelihood of -1.3" is a value; elsewhere a minus states a drop.
        scored = number.metric_side == "left" and _SCORE_GAP.search(
            text[number.metric.end : number.start] if number.metric else ""
        )
        if scored:
            number.value = -number.value
        elif number.unit is not None or number.metric is not None:
            number.relative, number.direction = True, DECREASE
        return
    after_start = number.end
    if number.metric is not None and number.metric_side == "right":
        after_start = number.metric.end
    after = _CHANGE_AFTER.match(text, number.end, end) or _CHANGE_AFTER.match(
        text, after_start, end
    )
    after_direction = _direction(after)
    noun = _CHANGE_NOUN_BEFORE.search(before)
    if noun is None and (number.unit is not None or number.metric is not None):
        # "improves over 6.1 F1", but not "outperforms 10 systems"
        noun = _VERB_BEFORE.search(before)
    if number.unit == "x":
        number.relative = True
        number.direction = (
            after_direction or _direction(noun) or _verb_direction(text, start, number.start)
        )
        return
    if _BY_BEFORE.search(before):
        direction = _verb_direction(text, start, number.start) or after_direction
        if direction is None and number.metric is None and number.unit not in ("%", "points"):
            return  # "followed by 3 layers", "accompanied by 71 hours of speech"
        number.relative, number.cue, number.direction = True, "before", direction
        return
    if noun:
        number.relative, number.cue, number.direction = True, "before", _direction(noun)
        return
    if after is not None:
        number.relative, number.cue, number.direction = True, "after", after_direction


def _direction(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return INCREASE if match.group("up") else DECREASE


def _verb_direction(text: str, start: int, at: int) -> str | None:
    last = None
    for last in _VERB.finditer(text, start, at):  # noqa: B007 - the last verb governs
        pass
    return _direction(last)


def _chain_lists(text: str, numbers: list[_Number]) -> None:
    """Numbers listed together share what the list's first or last one has: "by 2.4 and 3.1
    BLEU", "accuracies of 91.2%, 89.0% and 85.3%", "50.6 and 51.2 mAP"."""
    for prev, number in zip(numbers, numbers[1:], strict=False):
        if not _LIST_GAP.fullmatch(text, prev.end, number.start):
            continue
        if prev.cue == "before" and not number.relative:
            number.relative, number.cue, number.direction = True, "before", prev.direction
        if number.relative != prev.relative:
            continue
        if number.metric is None and prev.metric_side in ("left", "list"):
            number.metric, number.metric_side = prev.metric, "list"
    for number, nxt in zip(reversed(numbers[:-1]), reversed(numbers[1:]), strict=False):
        if not _LIST_GAP.fullmatch(text, number.end, nxt.start):
            continue
        if nxt.cue == "after" and not number.relative:
            number.relative, number.cue, number.direction = True, "after", nxt.direction
        right = nxt.metric_side in ("right", "rlist")
        if number.metric is None and number.relative == nxt.relative and right:
            number.metric, number.metric_side = nxt.metric, "rlist"


def _attach_near_metric(
    text: str, start: int, end: int, numbers: list[_Number], i: int, metrics: list[Mention]
) -> None:
    """The metric of a change is the nearest one between its neighbouring numbers; a score
    without an adjacent metric takes it only when a verb of attainment governs the number."""
    number = numbers[i]
    if number.is_range and not number.relative:
        return  # "50%-90% of the heads" measures parts of a model, not a result
    low = numbers[i - 1].end if i > 0 else start
    high = numbers[i + 1].start if i + 1 < len(numbers) else end
    if not number.relative:
        verb = None
        for verb in _RESULT_VERB.finditer(text, low, number.start):  # noqa: B007
            pass
        if verb is None or _LOOSE_BLOCK.search(text, verb.end(), number.start):
            return
        if number.unit not in ("%", "points") and "." not in text[number.start : number.end]:
            return
        if re.match(r"\s+of\b", text[number.end : end]):
            return  # "reaches 50% of the data" is a share, not a score
        claimed = {id(n.metric) for n in numbers if n.metric is not None}
        metrics = [m for m in metrics if id(m) not in claimed]
    elif number.unit == "x":
        return  # a speed-up or size ratio names what it multiplies next to it, or nothing
    inside = [m for m in metrics if low <= m.start and m.end <= high]
    # A claim takes a metric only from its own phrase.
    reach, block = _LOOSE_REACH, _LOOSE_GAP_BLOCK
    if number.relative:
        reach, block = _CHANGE_REACH, _CHANGE_GAP_BLOCK
    inside = [
        m
        for m in inside
        if _distance(m, number.start, number.end) <= reach
        and not block.search(text, min(m.end, number.end), max(m.start, number.start))
        and (number.relative or m.end <= number.start or _LOOSE_AFTER.match(text, number.end))
    ]
    if inside:
        number.metric = min(inside, key=lambda m: _distance(m, number.start, number.end))
        number.metric_side = "near"


def _distance(mention: Mention, start: int, end: int) -> int:
    return start - mention.end if mention.end <= start else mention.start - end


_FRONTED = re.compile(
    r"(?:^|[;,]\s*(?:and|while|whereas|but)?\s*)(?:on|in|for|across)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_NEXT_FRONTED = re.compile(
    r"[;,]\s*(?:and|while|whereas|but)?\s*(?:on|in|for|across)\s", re.IGNORECASE
)
_FRONTED_GAP = re.compile(
    r"^(?:\s+(?:dataset|benchmark|corpus|test set)s?)?\s*,[^;]*$", re.IGNORECASE
)


def _pair_fronted(text: str, start: int, numbers: list[_Number], datasets: list[Mention]) -> None:
    """A clause that opens with its dataset gives it to the numbers that follow in the clause:
    "On X, the model reaches 47.9% mAP, and on Y it reaches 95.2% accuracy"."""
    for number in numbers:
        if number.dataset is not None:
            continue
        for dataset in reversed([d for d in datasets if d.end <= number.start]):
            gap = text[dataset.end : number.start]
            # The number must sit in the dataset's own clause, not in a later "..., and on Y".
            if (
                _FRONTED.search(text[start : dataset.start])
                and _FRONTED_GAP.match(gap)
                and not _NEXT_FRONTED.search(gap)
            ):
                number.dataset = dataset
                break


def _attach_datasets(
    text: str, start: int, end: int, numbers: list[_Number], datasets: list[Mention]
) -> None:
    if not datasets:
        return
    _pair_respectively(text, start, end, numbers, datasets)
    _pair_fronted(text, start, numbers, datasets)
    claimed: set[int] = {id(n.dataset) for n in numbers if n.dataset is not None}
    for number in numbers:
        if number.dataset is not None:
            continue
        tail = number.end
        if number.metric is not None and number.metric.start >= number.end:
            tail = number.metric.end
        after = next((d for d in datasets if d.start >= tail), None)
        if (
            after is not None
            and _DATASET_GAP.fullmatch(text, tail, after.start)
            and not _DATASET_GAP_BLOCK.search(text, tail, after.start)
        ):
            number.dataset = after
            claimed.add(id(after))
    for number in numbers:
        if number.dataset is None:
            free = [d for d in datasets if id(d) not in claimed] or datasets
            number.dataset = min(free, key=lambda d: _distance(d, number.start, number.end))


def _pair_respectively(
    text: str, start: int, end: int, numbers: list[_Number], datasets: list[Mention]
) -> None:
    """Numbers listed before "respectively" take the datasets listed with them, in order, when
    the counts agree ("51.2% and 97.3% on A and B, respectively")."""
    word = re.search(r"\brespectively\b", text[start:end], re.IGNORECASE)
    if word is None:
        return
    limit = start + word.start()
    runs: list[list[_Number]] = [[numbers[0]]]
    for prev, number in zip(numbers, numbers[1:], strict=False):
        if _LIST_GAP.fullmatch(text, prev.end, number.start):
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        if len(run) < 2:
            continue
        after = [d for d in datasets if run[-1].end <= d.start and d.end <= limit]
        before = [d for d in datasets if d.end <= run[0].start]
        pick = after if len(after) == len(run) else before if len(before) == len(run) else []
        for number, dataset in zip(run, pick, strict=False):
            number.dataset = dataset


def _method(
    text: str, start: int, number: _Number, methods: list[Mention], proposed: Mention | None
) -> Mention | None:
    """The subject of the claim: the nearest method before the number that is not a baseline
    or a building block, unless "our"/"we"/"it" intervenes; else the paper's own method."""
    compared = False
    for method in sorted(
        (m for m in methods if m.end <= number.start), key=lambda m: m.start, reverse=True
    ):
        if _OWN.search(text, method.end, number.start):
            return proposed
        if _CLAUSE_BREAK.search(text, method.end, number.start):
            break
        if _NOT_SUBJECT_BEFORE.search(text, max(start, method.start - 60), method.start):
            compared = True
            continue
        return method
    if _OWN.search(text, start, number.start):
        return proposed
    # With no method of its own the sentence speaks of the paper's, unless its subject is
    # other work ("Prior methods reach only 61% accuracy").
    for other in _OTHERS.finditer(text, start, number.start):
        if not _NOT_SUBJECT_BEFORE.search(text, max(start, other.start() - 60), other.start()):
            return None
    if compared or not any(m.end <= number.start for m in methods):
        return proposed
    return None
