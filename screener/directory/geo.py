"""Great-circle geometry and the bounding boxes that let an ordinary B-tree find nearby rows.

Rows carry `lat_band` = floor(lat * BANDS_PER_DEGREE). A search asks for a list of bands and a
longitude range, which both SQLite and PostgreSQL answer with a few index range scans on
(lat_band, lon); exact distances are then computed here, in Python, on the few candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
BANDS_PER_DEGREE = 10
MAX_LISTED_BANDS = 400
"""Past this many bands (a radius over ~2,000 km) a band range replaces the list."""

_SPECIAL = r"nan|inf(?:inity)?"
_NUMBER = rf"[-+]?(?:\d+(?:\.\d*)?|\.\d+|{_SPECIAL})(?:e[-+]?\d+)?"
_NUMBER_DECIMAL_COMMA = rf"[-+]?(?:\d+(?:,\d*)?|,\d+|{_SPECIAL})"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*(?:[,;]|\s)\s*({_NUMBER})\s*$", re.IGNORECASE)
_PAIR_DECIMAL_COMMA = re.compile(
    rf"^\s*({_NUMBER_DECIMAL_COMMA})\s*;\s*({_NUMBER_DECIMAL_COMMA})\s*$", re.IGNORECASE
)
"""Where a comma is the decimal mark (Bulgarian), "42,69; 23,32" is the natural spelling."""


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


class CoordinateError(ValueError):
    """Text that is plainly a coordinate pair, but not a valid one."""


def parse_coordinates(text: str) -> Point | None:
    """ "lat,lon" (also "lat lon", "lat;lon", "42,69; 23,32"); None when not a pair at all.

    NaN, infinities and out-of-range values raise, so a typo never searches from a wrong spot.
    """
    match = _PAIR_DECIMAL_COMMA.match(text) or _PAIR.match(text)
    if not match:
        return None
    lat, lon = (float(part.replace(",", ".")) for part in match.groups())
    return checked_point(lat, lon)


def checked_point(lat: float, lon: float) -> Point:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise CoordinateError("coordinates must be finite numbers")
    if not -90 <= lat <= 90:
        raise CoordinateError("latitude must be between -90 and 90")
    if not -180 <= lon <= 180:
        raise CoordinateError("longitude must be between -180 and 180")
    return Point(lat, lon)


def lat_band(lat: float) -> int:
    return math.floor(lat * BANDS_PER_DEGREE)


def distance_km(a: Point, lat: float, lon: float) -> float:
    """Haversine: accurate to ~0.5% on the sphere, far below what a patient cares about."""
    phi1, phi2 = math.radians(a.lat), math.radians(lat)
    dphi = phi2 - phi1
    dlmb = math.radians(lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Box:
    """Latitude bands plus one or two longitude ranges (two when crossing the antimeridian)."""

    south: float
    north: float
    lon_ranges: tuple[tuple[float, float], ...]

    @property
    def bands(self) -> range:
        return range(lat_band(self.south), lat_band(self.north) + 1)


def box_around(centre: Point, radius_km: float) -> Box | None:
    """A box holding every point within `radius_km`; None when that is the whole globe."""
    if radius_km >= HALF_CIRCUMFERENCE_KM:
        return None
    dlat = radius_km / KM_PER_DEGREE
    south, north = max(-90.0, centre.lat - dlat), min(90.0, centre.lat + dlat)
    if south <= -90 or north >= 90:
        return Box(south, north, ((-180.0, 180.0),))
    # The widest longitude span of a circle is at the latitude where it touches the meridians.
    ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(centre.lat))
    if ratio >= 1:
        return Box(south, north, ((-180.0, 180.0),))
    dlon = math.degrees(math.asin(ratio))
    west, east = centre.lon - dlon, centre.lon + dlon
    if west < -180:
        return Box(south, north, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return Box(south, north, ((west, east),))
