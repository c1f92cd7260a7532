"""Input files as text: UTF-8 (with or without a byte-order mark) read directly, any other
encoding detected with charset-normalizer and named in a warning, binary data refused.

Every reader gets its text from here, so every format decodes alike.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
from pathlib import Path

from kg.errors import InputError

__all__ = ["head_text", "read_text"]

logger = logging.getLogger("kg.ingest")

#: Encodings taken in preference to charset-normalizer's first guess when they read the bytes
#: with as little mess (its "chaos"). On a few accented words the language-likeness it ranks
#: by next is noise: "Détection à Zürich" in Latin-1 fits DOS code page 775 best by that
#: measure. Windows-1252 is also what most files labelled Latin-1 really are.
_PREFERRED = ("cp1252", "latin_1", "utf_16", "utf_32")
#: How much more mess than the best guess still counts as as little (charset-normalizer's own
#: margin for calling two guesses equally clean).
_CHAOS_MARGIN = 0.01

_NOT_TEXT = (
    "not a text file (binary data); give the papers as text, such as JSON Lines, CSV, "
    "BibTeX or a listing, preferably saved as UTF-8"
)


def read_text(path: Path) -> str:
    """The whole of ``path`` as text.

    UTF-8 is read without detection. Another encoding is detected and logged as a warning on
    the ``kg.ingest`` logger naming the file and the encoding. Raises ``InputError`` when the
    file cannot be read or holds binary data.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", path=path) from err
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text, encoding = _detected(data, path)
        logger.warning(
            "%s: not UTF-8; read as %s, the encoding detected. If its text looks wrong, "
            "re-save the file as UTF-8",
            path,
            encoding,
        )
    if "\x00" in text:
        raise InputError(_NOT_TEXT, path=path)
    return text


def head_text(path: Path, data: bytes) -> str:
    """``data``, the first bytes of ``path``, as text for recognising the file's format.

    The cut at the end may fall inside a character, which is dropped. No warning is logged:
    :func:`read_text` gives it when the whole file is read. Raises ``InputError`` for binary
    data.
    """
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        text, _ = _detected(data, path, errors="replace")
    if "\x00" in text:
        raise InputError(_NOT_TEXT, path=path)
    return text


def _detected(data: bytes, path: Path, *, errors: str = "strict") -> tuple[str, str]:
    """``data`` decoded in the encoding charset-normalizer finds, and that encoding's name."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise InputError(_NOT_TEXT, path=path)
    texts = {}
    for match in matches:
        if match.chaos <= matches[0].chaos + _CHAOS_MARGIN:
            # charset-normalizer tries only samples of a large file: a match may still fail.
            with contextlib.suppress(UnicodeDecodeError):
                # A byte-order mark is no part of the text, whatever the codec makes of it.
                text = data.decode(match.encoding, errors=errors).removeprefix("\ufeff")
                texts[text] = match.encoding
    for name in _PREFERRED:
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode(name, errors=errors).removeprefix("\ufeff")
            if text in texts:
                return text, name
    if texts:
        # The first is charset-normalizer's best guess, or else the best that decodes.
        return next(iter(texts.items()))
    raise InputError(_NOT_TEXT, path=path)
