"""Nearest providers, widening the radius until something is found.

The index does the coarse work (latitude bands and a longitude range: see `geo`), Python does
the exact great-circle distances on the candidates. The same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
FIRST_PROBE_KM = 4.0
"""Where providers are dense, the nearest 20 lie well inside the radius: probing small first
keeps the candidates to a few dozen instead of every provider of a city."""


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


PROVIDERS = Provider.__table__
"""Searches use Core, not ORM objects: at a million rows the per-query overhead is the cost."""
_C = PROVIDERS.c


@dataclass(frozen=True)
class Hit:
    provider: sa.Row[Any]
    """A providers row: the same attribute names as `Provider`, read-only."""
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
        clauses.append(_C.condition_bits.bitwise_and(bit) != 0)
    if filters.tms_type is not None:
        bit = vocab.bits([filters.tms_type], vocab.TMS_TYPES)
        clauses.append(_C.tms_bits.bitwise_and(bit) != 0)
    if filters.language is not None:
        clauses.append(_C.spoken_languages.like(f"%,{filters.language},%"))
    if filters.accepting is not None:
        clauses.append(_C.accepting_new_patients == filters.accepting)
    if filters.remote is not None:
        clauses.append(_C.remote_consultation == filters.remote)
    return clauses


def _padded(bands: list[int]) -> list[int]:
    """The band list lengthened to a power of two by repeating its last band: a handful of
    distinct SQL texts instead of one per list length, so PostgreSQL's prepared statements
    (psycopg prepares a query it has seen 5 times) are reused and plans are not redone."""
    size = 1 << (len(bands) - 1).bit_length()
    return bands + [bands[-1]] * (size - len(bands))


def _within(origin: Point, radius_km: float, filters: Filters) -> list[tuple[float, int]]:
    """(distance, id) of every matching provider within `radius_km`, nearest first."""
    query = sa.select(_C.id, _C.lat, _C.lon).where(*filter_clauses(filters))
    box = box_around(origin, radius_km)
    if box is not None:
        bands = box.bands
        band_clause = (
            _C.lat_band.in_(_padded(list(bands)))
            if len(bands) <= MAX_LISTED_BANDS
            else _C.lat_band.between(bands.start, bands.stop - 1)
        )
        lon_clause = sa.or_(*(_C.lon.between(w, e) for w, e in box.lon_ranges))
        query = query.where(band_clause, lon_clause, _C.lat.between(box.south, box.north))
    found = []
    for provider_id, lat, lon in db.session.connection().execute(query):
        distance = distance_km(origin, lat, lon)
        if distance <= radius_km:
            found.append((distance, provider_id))
    found.sort()
    return found


def _steps(radius_km: float) -> list[float]:
    return [radius_km, *(step for step in WIDENING_KM if step > radius_km)]


def _next_probe(probe_km: float, found: int, limit: int) -> float:
    """Guess the radius holding `limit` from the density seen so far (area grows with the
    square of the radius), with a margin so that one more probe usually suffices."""
    if not found:
        return probe_km * 4
    return probe_km * max(1.5, min(4.0, 1.25 * math.sqrt(limit / found)))


def _nearest_within(
    origin: Point, radius_km: float, filters: Filters, limit: int, start_km: float = 0
) -> list[tuple[float, int]]:
    """The `limit` nearest within `radius_km`. Probes grow from FIRST_PROBE_KM (or from
    `start_km`, within which nothing matches) and stop once `limit` are found: everything
    nearer than the probe's edge is then known."""
    probe = min(radius_km, max(FIRST_PROBE_KM, start_km * 1.5))
    while True:
        found = _within(origin, probe, filters)
        if len(found) >= limit or probe >= radius_km:
            return found[:limit]
        probe = min(radius_km, _next_probe(probe, len(found), limit))


def _anywhere(origin: Point, filters: Filters, limit: int) -> list[tuple[float, int]]:
    """The `limit` nearest at any distance: growing probes stay cheap where providers are
    dense and end in one full scan where there are none."""
    return _nearest_within(origin, HALF_CIRCUMFERENCE_KM, filters, limit, WIDENING_KM[-1])


def _load(found: Sequence[tuple[float, int]]) -> list[Hit]:
    if not found:
        return []
    query = sa.select(PROVIDERS).where(_C.id.in_([provider_id for _, provider_id in found]))
    rows = {row.id: row for row in db.session.connection().execute(query)}
    return [Hit(rows[i], d) for d, i in found if i in rows]


def nearest(
    origin: Point,
    filters: Filters | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    limit: int = DEFAULT_LIMIT,
) -> Nearest:
    """Providers within `radius_km`, nearest first; if none, within the next widening step;
    past the last step, the nearest at any distance."""
    filters = filters or Filters()
    searched = 0.0
    for step in _steps(radius_km):
        found = _nearest_within(origin, step, filters, limit, searched)
        if found:
            return Nearest(_load(found), radius_km, step)
        searched = step
    return Nearest(_load(_anywhere(origin, filters, limit)), radius_km, None)
