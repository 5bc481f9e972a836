"""Resume codes: what a person writes down to find their answers again on another day.

Only a keyed hash of a code is stored, so a copy of the database does not open anybody's
answers; the code itself is shown once (and kept in the session cookie for display).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so what people misread or mistype (O for 0, I or L
for 1) can be mapped back; codes are read off a screen and typed back on a phone."""

_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})

LENGTH = 12
"""32**12 = 1.2e18 codes: at the rate limit, guessing one live code takes longer than the
universe has left."""


def new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def from_number(number: int) -> str:
    """The code spelled by the low 60 bits of a number (for codes derived from a secret)."""
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(LENGTH))


def normalise(code: str) -> str:
    """Forgive how people type codes back: case, spaces, dashes, and O/0, I/L/1 confusions."""
    cleaned = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())
    return cleaned.translate(_MISREAD)


def display(code: str) -> str:
    """In groups of four, as people copy it best."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def digest(code: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()
