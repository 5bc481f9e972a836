"""Place names to points: exact, then prefix, then fuzzy matches over the folded-key table.

Any script works because keys are folded to ASCII (`textnorm.fold`): "Левски", "LEVSKI" and
"Lewski" (a geonames alternate name) all become keys of Levski. Fuzzy matching ("Levsky") runs
rapidfuzz over the few thousand keys sharing the first three letters, never the whole table.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

from ..engine.folding import fold
from ..extensions import db
from ..i18n.languages import country_of
from . import qualifiers
from .geo import CoordinateError, Point, box_around, distance_km, parse_coordinates
from .models import KEY_LENGTH, Place, PlaceName
from .qualifiers import Reading

MAX_QUERY_LENGTH = 200
PREFIX_CAP = 500
FUZZY_CAP = 5000
FUZZY_CUTOFF = 80.0
FUZZY_STEM = 3

"""Among places of the same name, the UI language's country comes first."""

ALTERNATE_WEIGHT = 0.1
"""Among exact spellings, one other than a place's main name counts as if the place were a
tenth of its size: "Rousse" (a common spelling of Ruse, 121,000 people) then beats the main
name of Roussé in Côte d'Ivoire (744), while a main name still beats another spelling of a
place less than ten times larger."""

RESOLVE_POOL = 100
"""How many of the best matches "did you mean" looks through for places sharing the name."""

NEARBY_KM = (50.0, 500.0)
"""Reverse look-up: the boxes tried before searching the whole table."""

EXACT, PREFIX, FUZZY = 0, 1, 2


class PlaceQueryError(ValueError):
    """Text that cannot be searched for; the message is translatable and safe to show."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def check_query(text: str | None) -> str:
    """The text, stripped, or PlaceQueryError: empty, too long, or not text at all."""
    stripped = (text or "").strip()
    if not stripped:
        raise PlaceQueryError(_l("Enter a town, city or coordinates"))
    if len(stripped) > MAX_QUERY_LENGTH:
        raise PlaceQueryError(
            _l("Place names must be %(n)d characters or fewer", n=MAX_QUERY_LENGTH)
        )
    if "\ufffd" in stripped or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in stripped):
        raise PlaceQueryError(_l("The place name contains characters that are not text"))
    return stripped


def search_key(text: str) -> str:
    """The folded key; empty for text with no letters or digits ("!!!", emoji): no match."""
    return fold(text)[:KEY_LENGTH].strip()


def preferred_country(lang: str) -> str | None:
    return country_of(lang)


@dataclass(frozen=True)
class _Candidate:
    place_id: int
    key: str
    kind: int
    alternate: bool
    population: int
    country: str

    def names_like(self, best: _Candidate) -> bool:
        """Whether this place shares the name the best match was found by, at least as well:
        the same kind of match of the same spelling, by a main name unless the best one also
        matched only another spelling. Levsky's other Levskis, not fuzzy leftovers; Varna's
        other Varnas, not Clio, Michigan, which also carries the spelling "Varna"."""
        return (self.kind == best.kind and self.key == best.key
                and (best.alternate or not self.alternate))


def _after(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (byte order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _rows(where: Sequence[sa.ColumnElement[bool]], cap: int) -> list[sa.Row]:
    query = (
        sa.select(
            PlaceName.key,
            PlaceName.place_id,
            PlaceName.alternate,
            PlaceName.population,
            PlaceName.country,
        )
        .where(*where)
        .order_by(PlaceName.key)
        .limit(cap)
    )
    return list(db.session.execute(query))


def _as(kind: int, rows: Iterable[sa.Row]) -> list[_Candidate]:
    return [_Candidate(r.place_id, r.key, kind, r.alternate, r.population, r.country)
            for r in rows]


def _candidates(key: str) -> list[_Candidate]:
    found = _as(EXACT, _rows([PlaceName.key == key], PREFIX_CAP))
    if len(key) >= 2:
        found += _as(PREFIX, _rows([PlaceName.key > key, PlaceName.key < _after(key)],
                                   PREFIX_CAP))
    if found or len(key) <= FUZZY_STEM:
        return found
    stem = key[:FUZZY_STEM]
    rows = _rows(
        [
            PlaceName.key >= stem,
            PlaceName.key < _after(stem),
            sa.func.length(PlaceName.key).between(len(key) - 2, len(key) + 2),
        ],
        FUZZY_CAP,
    )
    matches = process.extract(
        key, [row.key for row in rows], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=50
    )
    return _as(FUZZY, (rows[i] for _, _, i in matches))


def _ranked(candidates: Iterable[_Candidate], country: str | None,
            limit: int | None = None) -> list[_Candidate]:
    """Each place once, by its best candidate, best first (the first `limit`).

    Match kind first. Among exact spellings, the UI language's country, then size, another
    spelling weighing a tenth of a main name ("Rousse"). Among prefixes and near misses, which
    are guesses at a name still being typed, main names stay before other spellings, then the
    country, then population.
    (Inline, not a method: this loop runs over up to a thousand candidates per keystroke.)"""
    best: dict[int, tuple[tuple[int, bool, bool, float], _Candidate]] = {}
    for c in candidates:
        if c.kind == EXACT:
            rank = (EXACT, False, c.country != country,
                    -c.population * (ALTERNATE_WEIGHT if c.alternate else 1.0))
        else:
            rank = (c.kind, c.alternate, c.country != country, -c.population)
        held = best.get(c.place_id)
        if held is None or rank < held[0]:
            best[c.place_id] = (rank, c)
    def order(item: tuple[int, tuple[tuple[int, bool, bool, float], _Candidate]]) -> tuple:
        return (item[1][0], item[0])

    ordered = (sorted(best.items(), key=order) if limit is None
               else heapq.nsmallest(limit, best.items(), key=order))
    return [c for _, (_, c) in ordered]


def _load(ids: Sequence[int]) -> dict[int, Place]:
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(Place).where(Place.id.in_(ids)))}


def _read(reading: Reading, lang: str, limit: int) -> list[_Candidate]:
    """The best `limit` matches for one reading of the query, best first."""
    key = search_key(reading.name)
    if not key:
        return []
    found = _candidates(key)
    if reading.exact_only:
        found = [c for c in found if c.kind == EXACT]
    if reading.country:
        found = [c for c in found if c.country == reading.country]
    if not reading.province:
        return _ranked(found, preferred_country(lang), limit)
    ranked = _ranked(found, preferred_country(lang))
    places = _load([c.place_id for c in ranked])
    return [c for c in ranked if c.place_id in places and qualifiers.province_matches(
        reading.province, places[c.place_id].province, places[c.place_id].province_bg)][:limit]


def _matches(text: str, lang: str, limit: int) -> list[_Candidate]:
    """Tries each reading of the text ("Levski, Pleven" is Levski in Pleven province) in turn."""
    stripped = check_query(text)
    for reading in qualifiers.readings(stripped):
        found = _read(reading, lang, limit)
        if found:
            return found
    return []


def _places(chosen: Sequence[_Candidate]) -> list[Place]:
    places = _load([c.place_id for c in chosen])
    return [places[c.place_id] for c in chosen if c.place_id in places]


def search_places(text: str, lang: str, limit: int = 10) -> list[Place]:
    """Places matching `text`, best first: exact spellings before prefixes before near misses
    (see `_Candidate.rank` for the order within each). A trailing country or province narrows
    the match."""
    return _places(_matches(text, lang, limit))


def nearest_places(point: Point, limit: int) -> list[tuple[Place, float]]:
    """Reverse look-up: the places nearest a point, with their distances in km.

    Growing boxes first; only a point with no place within 500 km (the open sea) reads the
    whole table, ordered by an equirectangular estimate in SQL and refined here."""
    for radius in NEARBY_KM:
        box = box_around(point, radius)
        if box is None:
            break
        lon_ok = sa.or_(*(Place.lon.between(west, east) for west, east in box.lon_ranges))
        rows = db.session.scalars(
            sa.select(Place).where(Place.lat.between(box.south, box.north), lon_ok))
        near = sorted(((p, distance_km(point, p.lat, p.lon)) for p in rows),
                      key=lambda pair: (pair[1], pair[0].id))
        near = [pair for pair in near if pair[1] <= radius]
        if len(near) >= limit:
            return near[:limit]
    dlon = sa.func.abs(Place.lon - point.lon)
    wrapped = sa.case((dlon > 180, 360 - dlon), else_=dlon) * math.cos(math.radians(point.lat))
    estimate = (Place.lat - point.lat) * (Place.lat - point.lat) + wrapped * wrapped
    rows = db.session.scalars(sa.select(Place).order_by(estimate).limit(limit * 5))
    near = sorted(((p, distance_km(point, p.lat, p.lon)) for p in rows),
                  key=lambda pair: (pair[1], pair[0].id))
    return near[:limit]


def get_place(place_id: int) -> Place | None:
    return db.session.get(Place, place_id)


@dataclass(frozen=True)
class Origin:
    """Where a search starts: a known place, or bare coordinates."""

    point: Point
    place: Place | None
    alternatives: tuple[Place, ...] = ()


class PlaceNotFound(LookupError):
    pass


def coordinates(text: str) -> Point | None:
    """The point a "lat,lon" query names, None for a name; PlaceQueryError when it is plainly
    a pair but not a valid one (NaN, infinity, out of range)."""
    try:
        return parse_coordinates(text)
    except CoordinateError as exc:
        raise PlaceQueryError(_l("Coordinates must be a latitude between -90 and 90 and a "
                                 "longitude between -180 and 180")) from exc


def resolve(text: str, lang: str, alternatives: int = 5) -> Origin:
    """"lat,lon" or a place name: the best match, with the places matching it equally well."""
    stripped = check_query(text)
    point = coordinates(stripped)
    if point is not None:
        return Origin(point, None)
    found = _matches(stripped, lang, RESOLVE_POOL)
    if not found:
        raise PlaceNotFound(stripped)
    best = found[0]
    same = [other for other in found[1:] if other.names_like(best)][:alternatives]
    chosen = _places([best, *same])
    if not chosen or chosen[0].id != best.place_id:
        raise PlaceNotFound(stripped)
    place, *others = chosen
    return Origin(Point(place.lat, place.lon), place, tuple(others))


def resolve_id(place_id: int) -> Origin:
    place = get_place(place_id)
    if place is None:
        raise PlaceNotFound(str(place_id))
    return Origin(Point(place.lat, place.lon), place)
