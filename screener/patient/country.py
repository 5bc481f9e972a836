"""Which country a screening is in: for its crisis lines and its summary's services.

The place the directory was searched from wins, then the clinic it is addressed to, then the
browser's region; a Bulgarian-speaking screening with none of these is taken to be in Bulgaria.
"""

from __future__ import annotations

from ..clinics.service import get_clinic
from ..i18n import browser_country
from ..i18n.languages import country_of as country_of_language
from .model import Screening


def country_of(record: Screening) -> str | None:
    place = record.place or {}
    if place.get("country"):
        return place["country"]
    clinic = get_clinic(record.clinic_slug) if record.clinic_slug else None
    if clinic is not None:
        return clinic.country
    return browser_country() or country_of_language(record.language)
