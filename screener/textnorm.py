"""Folding text to comparable ASCII keys, shared by medication and place matching.

Transliteration is unidecode's; it follows Russian conventions, so the Bulgarian hard sign
(ъ, pronounced like an "a") is mapped first: otherwise "България" would fold to "blgariia" and
never meet the Latin "Balgaria".
"""

from __future__ import annotations

import re

from unidecode import unidecode

_BG_HARD_SIGN = str.maketrans({"ъ": "а", "Ъ": "А"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_WORDS = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII with single spaces; letters and digits glued together are split."""
    ascii_text = unidecode(text.translate(_BG_HARD_SIGN)).lower()
    spaced = _NON_ALNUM.sub(" ", ascii_text)
    return _LETTER_DIGIT.sub(" ", spaced).strip()


def words(text: str) -> list[str]:
    """The alphabetic words of `text` after folding: doses, units' digits and punctuation go."""
    return _WORDS.findall(fold(text))


def ascii_lower(text: str) -> str:
    """Lower-case ASCII like fold(), but with punctuation kept: the medicine list is cut into
    clauses at its commas and full stops after transliteration."""
    return unidecode(text.translate(_BG_HARD_SIGN)).lower()
