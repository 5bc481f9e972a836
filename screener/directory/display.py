"""How places, providers and search outcomes read to a patient, in the UI language.

Data (place names) follow the language too: Bulgarian names are shown in Bulgarian where
geonames has them. Both the pages and the JSON API use these, so they say the same thing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import format_decimal, gettext

from . import vocab
from .geo import Point
from .models import Place, Provider
from .places import Origin
from .records import languages_of
from .search import WIDENING_KM, Hit, Nearest


def place_name(place: Place, lang: str) -> str:
    return (place.name_bg if lang == "bg" else None) or place.name


def province_name(place: Place, lang: str) -> str | None:
    return (place.province_bg if lang == "bg" else None) or place.province


def place_label(place: Place, lang: str) -> str:
    """"Levski, Pleven, Bulgaria": enough to tell places of the same name apart."""
    parts = [place_name(place, lang), province_name(place, lang),
             vocab.country_name(place.country, lang)]
    return ", ".join(dict.fromkeys(part for part in parts if part))


def point_label(point: Point) -> str:
    return gettext("your location (%(lat)s, %(lon)s)",
                   lat=format_decimal(round(point.lat, 3)), lon=format_decimal(round(point.lon, 3)))


def origin_label(origin: Origin, lang: str) -> str:
    return place_label(origin.place, lang) if origin.place else point_label(origin.point)


def origin_short(origin: Origin, lang: str) -> str:
    return place_name(origin.place, lang) if origin.place else point_label(origin.point)


def distance_text(km: float) -> str:
    """Whole kilometres, except under 10 km where a tenth still means something."""
    value = round(km, 1) if km < 10 else round(km)
    return gettext("%(km)s km", km=format_decimal(value))


def _km(value: float) -> str:
    return format_decimal(round(value) if value >= 1 else value)


def outcome_message(nearest: Nearest, origin: Origin, lang: str) -> str:
    """The plain-words sentence above the results, saying whether the search was widened."""
    where = origin_short(origin, lang)
    requested = _km(nearest.requested_radius_km)
    if not nearest.hits:
        return gettext("No providers match these filters anywhere.")
    if nearest.radius_km is None:
        return gettext(
            "No providers within %(km)s km of %(place)s; these are the nearest at any distance.",
            km=_km(max(nearest.requested_radius_km, WIDENING_KM[-1])), place=where)
    if nearest.widened:
        return gettext(
            "No providers within %(requested)s km of %(place)s; the nearest are within "
            "%(km)s km.", requested=requested, place=where, km=_km(nearest.radius_km))
    return gettext("Providers within %(km)s km of %(place)s, nearest first.",
                   km=requested, place=where)


def provider_json(hit: Hit, lang: str) -> dict[str, Any]:
    p = hit.provider
    return {
        "slug": p.slug,
        "name": p.name,
        "clinic": p.clinic,
        "address": p.address,
        "city": p.city,
        "country": p.country,
        "country_name": vocab.country_name(p.country, lang),
        "lat": p.lat,
        "lon": p.lon,
        "distance_km": round(hit.distance_km, 1),
        "phone": p.phone,
        "website": p.website,
        "email": p.email,
        "languages": languages_of(p),
        "conditions": vocab.codes(p.condition_bits, vocab.CONDITIONS),
        "tms_types": vocab.codes(p.tms_bits, vocab.TMS_TYPES),
        "accepting_new_patients": p.accepting_new_patients,
        "remote_consultation": p.remote_consultation,
        "last_verified": p.last_verified,
        "is_sample": p.is_sample,
    }


def place_json(place: Place, lang: str) -> dict[str, Any]:
    return {
        "id": place.id,
        "name": place_name(place, lang),
        "label": place_label(place, lang),
        "country": place.country,
        "country_name": vocab.country_name(place.country, lang),
        "province": province_name(place, lang),
        "population": place.population,
        "lat": place.lat,
        "lon": place.lon,
    }


def provider_text(provider: Provider | sa.Row[Any], lang: str) -> dict[str, str]:
    """The lists and the address of a provider as readable text in the UI language."""
    return {
        "address": ", ".join(
            part for part in (provider.address, provider.city,
                              vocab.country_name(provider.country, lang)) if part
        ),
        "conditions": ", ".join(
            str(vocab.CONDITIONS[c]) for c in vocab.codes(provider.condition_bits,
                                                          vocab.CONDITIONS)
        ),
        "tms_types": ", ".join(
            str(vocab.TMS_TYPES[t]) for t in vocab.codes(provider.tms_bits, vocab.TMS_TYPES)
        ),
        "languages": ", ".join(vocab.language_name(code, lang) for code in languages_of(provider)),
    }
