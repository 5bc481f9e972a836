"""The languages the site speaks, and where a language says its reader probably is.

The one place for both: the config's LANGUAGES, the directory's preferred place names and the
crisis lines' country guess all read from here, so adding a language is one edit.
"""

from __future__ import annotations

SUPPORTED: tuple[str, ...] = ("en", "bg")
"""Every language with a full catalog and questionnaire wording, English (the fallback) first."""

COUNTRY_FOR_LANGUAGE: dict[str, str] = {"bg": "BG"}
"""Bulgarian means Bulgaria; English is spoken everywhere, so it says nothing about a place."""


def country_of(lang: str | None) -> str | None:
    """The country a page's language points to, or None when it points nowhere in particular."""
    return COUNTRY_FOR_LANGUAGE.get(lang or "")
