"""Reading a place query the way the app itself labels places: "Levski, Pleven, Bulgaria".

A patient copies a label back into the box ("Sofia, Bulgaria", "Левски, България"), or adds a
country the way people write addresses ("Plovdiv BG"). The trailing parts are then not part
of the name: a country (its English or Bulgarian name, or its ISO code) and a province narrow
the match instead. Every query also keeps its literal reading, so a name that really contains
a comma or ends in a word that looks like a country code is still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale

from ..engine.folding import fold
from ..i18n.languages import SUPPORTED
from . import vocab

UI_LANGUAGES = SUPPORTED


@dataclass(frozen=True)
class Reading:
    """One way to read the query: the name to look up and what narrows it."""

    name: str
    country: str | None = None
    province: str | None = None
    """Folded, compared with the folded province names (English and Bulgarian)."""
    exact_only: bool = False
    """Only exact spellings count: a literal reading tried before a qualified one."""


@cache
def _countries_by_key() -> dict[str, str]:
    """Folded country name (English, Bulgarian) or ISO code -> ISO code, real countries only."""
    table: dict[str, str] = {}
    for lang in UI_LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if vocab.is_country(code):
                table.setdefault(fold(name), code)
    for code in list(table.values()):
        table.setdefault(code.lower(), code)
    return table


def country_of(text: str) -> str | None:
    """The ISO code named by `text` ("Bulgaria", "България", "BG", "bg"), else None."""
    return _countries_by_key().get(fold(text))


def _qualified(name: str, qualifiers: list[str]) -> Reading | None:
    """At most one country and one province; anything else means this is no such reading."""
    country = province = None
    for part in qualifiers:
        code = country_of(part)
        if code is not None and country is None:
            country = code
        elif province is None and fold(part):
            province = fold(part)
        else:
            return None
    if not fold(name):
        return None
    return Reading(name, country, province)


def readings(text: str) -> list[Reading]:
    """The readings of `text` to try in turn; the first that finds a place wins."""
    literal = Reading(text)
    if "," in text:
        name, *rest = (part.strip() for part in text.split(","))
        qualified = _qualified(name, [part for part in rest if part])
        return [qualified, literal] if qualified else [literal]
    words = text.split()
    if len(words) >= 2 and country_of(words[-1]):
        qualified = Reading(" ".join(words[:-1]), country_of(words[-1]))
        return [Reading(text, exact_only=True), qualified, literal]
    return [literal]


def province_matches(wanted: str, *names: str | None) -> bool:
    """"Pleven" matches Pleven, "Sofia" matches Sofia-Capital as well as Sofia province."""
    return any(name and fold(name).startswith(wanted) for name in names)
