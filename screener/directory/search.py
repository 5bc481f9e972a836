"""Nearest providers, widening the radius until something is found.

The index does the coarse work (latitude bands and a longitude range: see `geo`), Python does
the exact great-circle distances on the candidates. The same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from . import vocab
from .geo import HALF_CIRCUMFERENCE_KM, MAX_LISTED_BANDS, Point, box_around, distance_km
from .models import Provider

WIDENING_KM = (25, 50, 100, 250)
"""After the chosen radius, each larger step is tried; past the last, any distance."""

DEFAULT_RADIUS_KM = 25
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    condition: str | None = None
    tms_type: str | None = None
    language: str | None = None
    accepting: bool | None = None
    remote: bool | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in vars(self).values())


@dataclass(frozen=True)
class Hit:
    provider: Provider
    distance_km: float


@dataclass(frozen=True)
class Nearest:
    hits: list[Hit]
    requested_radius_km: float
    radius_km: float | None
    """The radius the hits lie within; None when they are the nearest at any distance."""

    @property
    def widened(self) -> bool:
        return self.radius_km != self.requested_radius_km


def filter_clauses(filters: Filters) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.condition is not None:
        bit = vocab.bits([filters.condition], vocab.CONDITIONS)
        clauses.append(Provider.condition_bits.bitwise_and(bit) != 0)
    if filters.tms_type is not None:
        bit = vocab.bits([filters.tms_type], vocab.TMS_TYPES)
        clauses.append(Provider.tms_bits.bitwise_and(bit) != 0)
    if filters.language is not None:
        clauses.append(Provider.spoken_languages.like(f"%,{filters.language},%"))
    if filters.accepting is not None:
        clauses.append(Provider.accepting_new_patients == filters.accepting)
    if filters.remote is not None:
        clauses.append(Provider.remote_consultation == filters.remote)
    return clauses


def _within(origin: Point, radius_km: float, filters: Filters) -> list[tuple[float, int]]:
    """(distance, id) of every matching provider within `radius_km`, nearest first."""
    query = sa.select(Provider.id, Provider.lat, Provider.lon).where(*filter_clauses(filters))
    box = box_around(origin, radius_km)
    if box is not None:
        bands = box.bands
        band_clause = (
            Provider.lat_band.in_(list(bands))
            if len(bands) <= MAX_LISTED_BANDS
            else Provider.lat_band.between(bands.start, bands.stop - 1)
        )
        lon_clause = sa.or_(*(Provider.lon.between(w, e) for w, e in box.lon_ranges))
        query = query.where(band_clause, lon_clause, Provider.lat.between(box.south, box.north))
    found = []
    for provider_id, lat, lon in db.session.execute(query):
        distance = distance_km(origin, lat, lon)
        if distance <= radius_km:
            found.append((distance, provider_id))
    found.sort()
    return found


def _steps(radius_km: float) -> list[float]:
    return [radius_km, *(step for step in WIDENING_KM if step > radius_km)]


def _anywhere(origin: Point, filters: Filters, limit: int) -> list[tuple[float, int]]:
    """The `limit` nearest at any distance: doubling boxes stay cheap where providers are dense
    and end in one full scan where there are none."""
    radius = WIDENING_KM[-1] * 2.0
    while True:
        found = _within(origin, radius, filters)
        if len(found) >= limit or radius >= HALF_CIRCUMFERENCE_KM:
            return found[:limit]
        radius *= 2


def _load(found: Sequence[tuple[float, int]]) -> list[Hit]:
    ids = [provider_id for _, provider_id in found]
    providers = {
        p.id: p for p in db.session.scalars(sa.select(Provider).where(Provider.id.in_(ids)))
    }
    return [Hit(providers[i], d) for d, i in found if i in providers]


def nearest(
    origin: Point,
    filters: Filters | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    limit: int = DEFAULT_LIMIT,
) -> Nearest:
    """Providers within `radius_km`, nearest first; if none, within the next widening step;
    past the last step, the nearest at any distance."""
    filters = filters or Filters()
    for step in _steps(radius_km):
        found = _within(origin, step, filters)
        if found:
            return Nearest(_load(found[:limit]), radius_km, step)
    return Nearest(_load(_anywhere(origin, filters, limit)), radius_km, None)
