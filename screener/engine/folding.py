"""Folding text to comparable ASCII keys, shared by medication and place matching.

Transliteration is anyascii's (ISC licence; the project is MIT, and unidecode, used before, is
GPL). Two tables come first:
- the Bulgarian hard sign (ъ, pronounced like an "a"): otherwise "България" would fold to
  "blgariia" and never meet the Latin "Balgaria";
- translit_pinned: the Latin, Greek and Cyrillic letters and the punctuation where anyascii
  differs from unidecode (й as "i", "×" in "1×1" as "x", a middle-dot bullet as "*", line
  separators as line breaks...), so every key stays what it was: place keys are stored.
A character anyascii names in colons (an emoji or arrow as ":pill:") folds to a space: its name
must not become words of a medicine list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from .translit_pinned import PINNED

_FIRST = str.maketrans({**PINNED, ord("ъ"): "а", ord("Ъ"): "А"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_WORDS = re.compile(r"[a-z]+")


@lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    out = anyascii(ch)
    return " " if len(out) > 2 and out[0] == out[-1] == ":" else out


def to_ascii(text: str) -> str:
    """ASCII transliteration, one character at a time (ASCII passes through untouched)."""
    return _NON_ASCII.sub(lambda m: _char(m.group()), text.translate(_FIRST))


def fold(text: str) -> str:
    """Lower-case ASCII with single spaces; letters and digits glued together are split."""
    spaced = _NON_ALNUM.sub(" ", to_ascii(text).lower())
    return _LETTER_DIGIT.sub(" ", spaced).strip()


def words(text: str) -> list[str]:
    """The alphabetic words of `text` after folding: doses, units' digits and punctuation go."""
    return _WORDS.findall(fold(text))


def ascii_lower(text: str) -> str:
    """Lower-case ASCII like fold(), but with punctuation kept: the medicine list is cut into
    clauses at its commas and full stops after transliteration."""
    return to_ascii(text).lower()
