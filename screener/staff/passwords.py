"""Staff passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended
set), at least 12 characters, and refused when common or easy to guess (zxcvbn's packaged
list of the 30,000 most common passwords and its estimate, read offline)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
"""zxcvbn's 0–4 scale: 3 is 'safely unguessable' (about 10^8 guesses and more)."""

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not-a-password-of-anyone")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused (a code for AccountError), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return "password_short"
    if len(password) > MAX_LENGTH:
        return "password_long"
    if password.lower() in _common():
        return "password_common"
    if zxcvbn(password, user_inputs=list(context))["score"] < MIN_SCORE:
        return "password_common"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash is checked instead)."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
