"""Place names to points: exact, then prefix, then fuzzy matches over the folded-key table.

Any script works because keys are folded to ASCII (`textnorm.fold`): "Левски", "LEVSKI" and
"Lewski" (a geonames alternate name) all become keys of Levski. Fuzzy matching ("Levsky") runs
rapidfuzz over the few thousand keys sharing the first three letters, never the whole table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

from ..extensions import db
from ..textnorm import fold
from .geo import CoordinateError, Point, parse_coordinates
from .models import KEY_LENGTH, Place, PlaceName

MAX_QUERY_LENGTH = 200
PREFIX_CAP = 500
FUZZY_CAP = 5000
FUZZY_CUTOFF = 80.0
FUZZY_STEM = 3

COUNTRY_FOR_LANGUAGE = {"bg": "BG"}
"""Among places of the same name, the UI language's country comes first."""

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
    return COUNTRY_FOR_LANGUAGE.get(lang)


@dataclass(frozen=True)
class _Candidate:
    place_id: int
    kind: int
    alternate: bool
    population: int
    country: str


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
    return [_Candidate(r.place_id, kind, r.alternate, r.population, r.country) for r in rows]


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


def _ranked(
    candidates: Iterable[_Candidate], country: str | None, limit: int
) -> list[tuple[int, int]]:
    """(place id, match kind), best first."""
    best: dict[int, tuple[int, bool, bool, int]] = {}
    for c in candidates:
        rank = (c.kind, c.alternate, c.country != country, -c.population)
        if c.place_id not in best or rank < best[c.place_id]:
            best[c.place_id] = rank
    ordered = sorted(best, key=lambda place_id: (best[place_id], place_id))[:limit]
    return [(place_id, best[place_id][0]) for place_id in ordered]


def _matches(text: str, lang: str, limit: int) -> list[tuple[Place, int]]:
    key = search_key(check_query(text))
    ranked = _ranked(_candidates(key), preferred_country(lang), limit) if key else []
    if not ranked:
        return []
    ids = [place_id for place_id, _ in ranked]
    places = {p.id: p for p in db.session.scalars(sa.select(Place).where(Place.id.in_(ids)))}
    return [(places[i], kind) for i, kind in ranked if i in places]


def search_places(text: str, lang: str, limit: int = 10) -> list[Place]:
    """Places matching `text`, best first: exact spellings before prefixes before near misses;
    within each, main names before other spellings, the UI language's country first, then the
    most populous."""
    return [place for place, _ in _matches(text, lang, limit)]


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


def resolve(text: str, lang: str, alternatives: int = 5) -> Origin:
    """"lat,lon" or a place name: the best match, with the places matching it equally well."""
    stripped = check_query(text)
    try:
        point = parse_coordinates(stripped)
    except CoordinateError as exc:
        raise PlaceQueryError(_l("Coordinates must be a latitude between -90 and 90 and a "
                                 "longitude between -180 and 180")) from exc
    if point is not None:
        return Origin(point, None)
    found = _matches(stripped, lang, limit=alternatives + 1)
    if not found:
        raise PlaceNotFound(stripped)
    (best, kind), others = found[0], found[1:]
    # Only places matching as well as the best are "the same name": Levski's alternatives are
    # other Levskis, not Karlovo, once called Levskigrad.
    same = tuple(place for place, other_kind in others if other_kind == kind)
    return Origin(Point(best.lat, best.lon), best, same)


def resolve_id(place_id: int) -> Origin:
    place = get_place(place_id)
    if place is None:
        raise PlaceNotFound(str(place_id))
    return Origin(Point(place.lat, place.lon), place)
