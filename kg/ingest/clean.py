"""Text cleaning applied to every title and abstract on the way in.

Turns LaTeX, inline math, HTML/JATS markup and line-wrapping artefacts into plain readable text.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_text"]

# Anything that can need more than whitespace collapsing; most abstracts contain none of it.
_NEEDS_WORK = re.compile(r"[\\$<&{\u00ad`]|''|\*\*|-[ \t]*\r?\n|^\s*abstract", re.IGNORECASE)
# Markdown bold, as some abstracts use it: "**AutoPRM**", "**S**ynt**A**ctically".
_MARKDOWN_BOLD = re.compile(r"\*\*(?=[^\W_])|(?<=[^\W_])\*\*")

# A hyphen at the end of a wrapped line, between two lower-case letters: "multi-\nmodal".
# "BERT-\nbased" keeps its hyphen, and so does a hyphen inside a line ("encoder-decoder").
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_A-Z])-[ \t]*\r?\n[ \t]*(?=[^\W\d_A-Z])")
# Any other hyphen ending a wrapped line is a real one: "BERT-\nbased" -> "BERT-based".
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=\w)")

# Only tag-shaped markup: a name right after "<" and attributes with values. A comparison
# such as "a <b and c> d" in an abstract is not a tag and must survive.
_TAG = re.compile(
    r"</?[A-Za-z][\w.-]*(?::[\w.-]+)?"
    r"(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=]+))*\s*/?>"
)
# Block-level tags separate words, inline ones do not ("<i>x</i>y" is one word).
_BLOCK_TAG = re.compile(r"</?(?:jats:)?(?:p|title|sec|div|br|li|ul|ol|h\d)\b[^>]*>", re.I)

_ABSTRACT_HEADING = re.compile(r"^\s*(?i:abstract)\s*(?:[:.\u2013\u2014]|\n(?=\s*[A-Z]))\s*")

# "Fr{é}chet", "trees{—}a": a lone non-ASCII character left braced by a LaTeX conversion.
_LONE_BRACED = re.compile(r"\{([^\x00-\x7f])\}")

_SPECIAL = re.compile(r"[\\{}$~^_]")


def clean_text(text: str) -> str:
    """Return ``text`` as plain readable text on one line.

    >>> clean_text("Caf{\\\\'e} at $360^{\\\\circ}$ with <i>multi-\\nmodal</i> &amp; more")
    'Café at 360° with multimodal & more'
    >>> clean_text("Abstract: An encoder-decoder   model.")
    'An encoder-decoder model.'
    >>> print(clean_text("the ``Fréchet Inception Distance'' and the `gap'"))
    the "Fréchet Inception Distance" and the 'gap'
    >>> clean_text("a framework, **AutoPRM**, for **L**earning")
    'a framework, AutoPRM, for Learning'
    """
    if not _NEEDS_WORK.search(text):
        return " ".join(text.split())
    text = text.replace("\u00ad", "")  # soft hyphens are invisible line-break hints
    if "\n" in text:
        text = _LINE_END_HYPHEN.sub("-", _LINE_BREAK_HYPHEN.sub("", text))
    if "<" in text:
        text = _BLOCK_TAG.sub("\n\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = _ABSTRACT_HEADING.sub("", text, count=1)
    if "\\" in text or _has_math(text):
        text = _latex_to_text(text)
    if "{" in text:
        text = _LONE_BRACED.sub(r"\1", text)
    if "**" in text:
        text = _MARKDOWN_BOLD.sub("", text)
    if "`" in text or "''" in text:
        # TeX quotes: ``double'' and `single'.
        text = text.replace("``", '"').replace("''", '"').replace("`", "'")
    return unicodedata.normalize("NFC", " ".join(text.split()))


# --- LaTeX -------------------------------------------------------------------------------

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_MATH_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
}

_SYMBOLS = {
    # letters outside ASCII
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    # Greek
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    # relations, operators, arrows
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "mp": "∓",
    "div": "÷",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "~",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "ll": "≪",
    "gg": "≫",
    "infty": "∞",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "supseteq": "⊇",
    "cup": "∪",
    "cap": "∩",
    "setminus": "∖",
    "emptyset": "∅",
    "varnothing": "∅",
    "forall": "∀",
    "exists": "∃",
    "neg": "¬",
    "lnot": "¬",
    "land": "∧",
    "wedge": "∧",
    "lor": "∨",
    "vee": "∨",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "gets": "←",
    "Rightarrow": "⇒",
    "implies": "⇒",
    "Leftarrow": "⇐",
    "leftrightarrow": "↔",
    "Leftrightarrow": "⇔",
    "iff": "⇔",
    "mapsto": "↦",
    "uparrow": "↑",
    "downarrow": "↓",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "circ": "∘",
    "prime": "′",
    "ell": "ℓ",
    "hbar": "ℏ",
    "star": "⋆",
    "ast": "∗",
    "dagger": "†",
    "langle": "⟨",
    "rangle": "⟩",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "mid": "|",
    "vert": "|",
    "lvert": "|",
    "rvert": "|",
    "Vert": "‖",
    "|": "‖",
    "top": "⊤",
    "perp": "⊥",
    "bot": "⊥",
    "oplus": "⊕",
    "otimes": "⊗",
    "odot": "⊙",
    "triangleq": "≜",
    "coloneqq": "≔",
    "degree": "°",
    "cdots": "⋯",
    "ldots": "…",
    "dots": "…",
    "vdots": "⋮",
    "textdegree": "°",
    "textendash": "–",
    "textemdash": "—",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textregistered": "®",
    "texttrademark": "™",
    "copyright": "©",
    "S": "§",
    "P": "¶",
    "dag": "†",
    "euro": "€",
    "pounds": "£",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    # spacing and breaks
    ",": " ",
    ";": " ",
    ":": " ",
    " ": " ",
    "quad": " ",
    "qquad": " ",
    "\\": " ",
    "newline": " ",
    "par": " ",
    "!": "",
    "-": "",
    "/": "",
    # escaped characters
    "%": "%",
    "&": "&",
    "#": "#",
    "_": "_",
    "$": "$",
    "{": "\x00",
    "}": "\x01",
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}

# Commands whose single argument is the text to keep.
_KEEP_ARGUMENT = frozenset(
    "textbf textit textsl emph texttt textsc textrm textsf textup textnormal textmd underline "
    "mbox hbox fbox text mathrm mathbf mathit mathsf mathtt mathcal mathscr mathfrak mathnormal "
    "boldsymbol bm operatorname overline underbrace overbrace url ensuremath textsubscript".split()
)
# Commands dropped together with their argument.
_DROP_WITH_ARGUMENT = frozenset(
    "cite citep citet citealp citeauthor ref eqref autoref cref Cref label footnote "
    "vspace hspace thanks".split()
)
# Commands with no output and no argument: font switches and delimiter sizes.
_DROP = frozenset(
    "em it bf sl sc tt rm sf normalfont small large Large footnotesize scriptsize tiny "
    "displaystyle textstyle scriptstyle left right big Big bigg Bigg bigl bigr Bigl Bigr "
    "biggl biggr middle limits nolimits noindent centering item".split()
)

_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)


def _latex_to_text(text: str) -> str:
    """Convert LaTeX markup in otherwise plain text; unknown commands keep their name."""
    out = _convert(text, math=False)
    # Escaped braces were parked on control characters so grouping braces could be dropped.
    return out.replace("\x00", "{").replace("\x01", "}")


def _convert(src: str, *, math: bool) -> str:
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        found = _SPECIAL.search(src, i)
        if found is None:
            out.append(src[i:])
            break
        start = found.start()
        if start > i:
            out.append(src[i:start])
        char = src[start]
        if char == "\\":
            text, i = _command(src, start, math=math)
            # An operator name written against its operand ("\\sqrt{n}\\log n") needs a space.
            if len(text) > 1 and text.isascii() and text.isalpha() and out:
                before = out[-1][-1:]
                if before.isalnum() or before == ")":
                    text = " " + text
            out.append(text)
        elif char == "{":
            end = _closing_brace(src, start)
            out.append(_convert(src[start + 1 : end], math=math))
            i = end + 1
        elif char == "}":
            i = start + 1  # an unbalanced closing brace carries no text
        elif char == "$":
            span = _math_span(src, start) if not math else None
            if span is None:
                out.append("$")
                i = start + 1
            else:
                body_start, body_end, i = span
                out.append(_convert(src[body_start:body_end], math=True))
        elif char == "~":
            # A tie between two words is a space; "~10%" in plain prose means "about".
            tie = math or (
                0 < start < n - 1 and not src[start - 1].isspace() and not src[start + 1].isspace()
            )
            out.append(" " if tie else "~")
            i = start + 1
        else:  # ^ or _
            if not math:
                out.append(char)
                i = start + 1
                continue
            argument, i = _argument(src, start + 1)
            out.append(_script(char, _convert(argument, math=True).strip()))
    return "".join(out)


def _command(src: str, start: int, *, math: bool) -> tuple[str, int]:
    """Convert the command at ``src[start] == "\\\\"``; return its text and the next index."""
    found = _COMMAND.match(src, start)
    if found is None:  # a trailing lone backslash
        return "", start + 1
    name, i = found.group(1), found.end()
    if name in ("(", "["):
        close = "\\)" if name == "(" else "\\]"
        end = src.find(close, i)
        if end < 0:
            return "", i
        return _convert(src[i:end], math=True), end + 2
    if name in (")", "]"):
        return "", i
    if name in _ACCENTS and not (math and name in "^~"):
        argument, i = _argument(src, i)
        return _accented(_convert(argument, math=math), _ACCENTS[name]), i
    if name in _MATH_ACCENTS:
        argument, i = _argument(src, i)
        return _accented(_convert(argument, math=math), _MATH_ACCENTS[name]), i
    if name in _SYMBOLS:
        return _SYMBOLS[name], i
    if name in _KEEP_ARGUMENT:
        argument, i = _argument(src, i)
        return _convert(argument, math=math), i
    if name in _DROP_WITH_ARGUMENT:
        _, i = _optional_argument(src, i)
        _, i = _argument(src, i)
        return "", i
    if name in _DROP:
        if name in ("left", "right") and src.startswith(".", i):
            i += 1  # "\right." is an invisible delimiter
        return "", i
    if name == "mathbb":
        argument, i = _argument(src, i)
        letters = _convert(argument, math=math)
        return "".join(_BLACKBOARD.get(letter, letter) for letter in letters), i
    if name in ("frac", "dfrac", "tfrac"):
        numerator, i = _argument(src, i)
        denominator, i = _argument(src, i)
        return (
            _grouped(_convert(numerator, math=True))
            + "/"
            + _grouped(_convert(denominator, math=True))
        ), i
    if name == "sqrt":
        _, i = _optional_argument(src, i)
        argument, i = _argument(src, i)
        body = _convert(argument, math=True).strip()
        return "√" + (body if len(body) == 1 or body.isdigit() else f"({body})"), i
    if name == "href":
        _, i = _argument(src, i)
        argument, i = _argument(src, i)
        return _convert(argument, math=math), i
    # Unknown commands are mostly operator names (\log, \max, \argmin): their name reads well.
    return name, i


def _argument(src: str, i: int) -> tuple[str, int]:
    """The next argument after index ``i``: a braced group, a command or one character."""
    while i < len(src) and src[i] in " \t\n":
        i += 1
    if i >= len(src):
        return "", i
    if src[i] == "{":
        end = _closing_brace(src, i)
        return src[i + 1 : end], end + 1
    if src[i] == "\\":
        found = _COMMAND.match(src, i)
        if found is None:
            return "", i + 1
        return found.group(0), found.end()
    return src[i], i + 1


def _optional_argument(src: str, i: int) -> tuple[str, int]:
    if i < len(src) and src[i] == "[":
        end = src.find("]", i)
        if end > 0:
            return src[i + 1 : end], end + 1
    return "", i


def _closing_brace(src: str, start: int) -> int:
    """Index of the brace closing ``src[start]``, or the end of ``src`` if it never closes."""
    depth = 0
    i = start
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(src)


def _has_math(text: str) -> bool:
    start = text.find("$")
    while start >= 0:
        if _math_span(text, start) is not None:
            return True
        start = text.find("$", start + 1)
    return False


def _math_span(src: str, start: int) -> tuple[int, int, int] | None:
    """Locate inline math opening at ``src[start] == "$"``: (body start, body end, next index).

    Follows pandoc's rule so prices survive: the opening ``$`` is followed by a non-space, the
    closing one is preceded by a non-space and not followed by a digit ("$5 and $10").
    """
    if src.startswith("$$", start):
        end = src.find("$$", start + 2)
        return (start + 2, end, end + 2) if end > start + 2 else None
    body = start + 1
    if body >= len(src) or src[body].isspace():
        return None
    i = body
    while True:
        end = src.find("$", i)
        if end < 0:
            return None
        if src[end - 1] == "\\":
            i = end + 1
            continue
        if src[end - 1].isspace() or (end + 1 < len(src) and src[end + 1].isdigit()):
            return None
        if "\n\n" in src[body:end]:
            return None
        return body, end, end + 1


def _script(marker: str, body: str) -> str:
    if marker == "^" and body in ("∘", "\\circ", "o"):
        return "°"
    if marker == "^" and body in ("′", "′′"):
        return body
    return marker + _grouped(body)


def _grouped(body: str) -> str:
    """Parenthesise a sub-expression that would read ambiguously after ^, _ or /."""
    if re.fullmatch(r"[-+−]?√?[\w.∞′*]+", body):
        return body
    return f"({body})"


def _accented(base: str, mark: str) -> str:
    if not base:
        return ""
    first = "i" if base[0] == "ı" else "j" if base[0] == "ȷ" else base[0]
    return unicodedata.normalize("NFC", first + mark) + base[1:]
