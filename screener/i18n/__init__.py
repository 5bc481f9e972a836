"""Language policy: which languages exist (languages), which one a request gets (selection)."""

from .languages import COUNTRY_FOR_LANGUAGE, SUPPORTED, country_of
from .selection import browser_country, language, select_locale, supported

__all__ = [
    "COUNTRY_FOR_LANGUAGE",
    "SUPPORTED",
    "browser_country",
    "country_of",
    "language",
    "select_locale",
    "supported",
]
