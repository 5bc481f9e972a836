"""JSON API of the provider directory: place autocomplete and nearest providers."""

from __future__ import annotations

from flask import Blueprint, Response, json, request

from ..directory import display
from ..directory.params import ParamError, parse_provider_query
from ..directory.places import PlaceNotFound, PlaceQueryError, search_places
from ..directory.service import find_providers
from ..i18n import select_locale
from ..problems import problem

bp = Blueprint("directory_api", __name__, url_prefix="/api/v1")

MAX_PLACES = 20


def _json(body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


def _bad(name: str, message: object, *more: tuple[str, object]) -> Response:
    """400 naming every bad parameter (RFC 9457's invalid_params), the first in `detail`."""
    return problem(
        400,
        "Invalid parameter",
        f"{name}: {message}",
        invalid_params=[{"name": n, "reason": str(m)} for n, m in ((name, message), *more)],
    )


@bp.get("/places")
def places() -> Response:
    """Places matching a name in any script, or a "lat,lon" pair; for autocomplete.
    ---
    get:
      summary: Find places by name (any script, forgiving spelling)
      description: >
        Exact spellings first, then names starting with the text, then near misses; among
        places of the same name, the UI language's country (Accept-Language or ?lang=) first,
        then the most populous. Names are in the UI language where known.
      parameters:
        - {in: query, name: q, required: true, schema: {$ref: '#/components/schemas/PlaceText'},
           description: 'A place name, e.g. Levski or Левски'}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 20, default: 10}}
        - {in: query, name: lang, schema: {type: string, enum: [en, bg]}}
      responses:
        200:
          description: Matching places, best first (possibly none)
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PlaceList'}
        400:
          description: Empty, too long or non-text query, or a bad limit
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    lang = select_locale()
    text = request.args.get("q", "")
    limit_text = request.args.get("limit", "10")
    if not (limit_text.isascii() and limit_text.isdigit() and 1 <= int(limit_text) <= MAX_PLACES):
        return _bad("limit", f"must be a whole number from 1 to {MAX_PLACES}")
    try:
        found = search_places(text, lang, limit=int(limit_text))
    except PlaceQueryError as exc:
        return _bad("q", exc.message)
    return _json({"query": text.strip(), "places": [display.place_json(p, lang) for p in found]})


@bp.get("/providers")
def providers() -> Response:
    """Nearest TMS providers to a place or a point, widening the radius when none are near.
    ---
    get:
      summary: Nearest TMS providers, with filters
      description: >
        Great-circle distances. When nothing matches within radius_km the search widens
        (25, 50, 100, 250 km, then any distance); `radius_km` in the answer says how far it
        went (null: any distance) and `message` says so in words.
      parameters:
        - {in: query, name: near, schema: {$ref: '#/components/schemas/PlaceText'},
           description: 'A place name in any script, or "lat,lon". Required unless place_id.'}
        - {in: query, name: place_id, schema: {type: integer, minimum: 1, maximum: 2147483647},
           description: 'A place id from /places; wins over near.'}
        - {in: query, name: radius_km,
           schema: {type: number, minimum: 0.1, maximum: 1000, default: 25}}
        - {in: query, name: condition, schema: {$ref: '#/components/schemas/Condition'}}
        - {in: query, name: tms_type, schema: {$ref: '#/components/schemas/TmsType'}}
        - {in: query, name: language, schema: {type: string, pattern: '^[a-z]{2}$'},
           description: 'A language spoken, ISO 639-1'}
        - {in: query, name: accepting, schema: {type: boolean},
           description: 'true: only providers accepting new patients; false: only those not'}
        - {in: query, name: remote, schema: {type: boolean},
           description: 'true: only providers offering a remote first consultation'}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
        - {in: query, name: lang, schema: {type: string, enum: [en, bg]}}
      responses:
        200:
          description: Providers, nearest first
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ProviderSearch'}
        400:
          description: A parameter is missing or invalid; invalid_params names it
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        404:
          description: No place has that name or id
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    lang = select_locale()
    try:
        query = parse_provider_query(request.args)
        found = find_providers(query, lang)
    except ParamError as exc:
        return _bad(*exc.problems[0], *exc.problems[1:])
    except PlaceQueryError as exc:
        return _bad("near", exc.message)
    except PlaceNotFound:
        name = "place_id" if request.args.get("place_id") else "near"
        return problem(404, "Place not found", f"{name}: no place matches",
                       invalid_params=[{"name": name, "reason": "no place matches"}])
    nearest = found.nearest
    return _json({
        "near": {
            "label": display.origin_label(found.origin, lang),
            "lat": found.origin.point.lat,
            "lon": found.origin.point.lon,
            "place": display.place_json(found.origin.place, lang) if found.origin.place else None,
        },
        "alternatives": [display.place_json(p, lang) for p in found.origin.alternatives],
        "requested_radius_km": nearest.requested_radius_km,
        "radius_km": nearest.radius_km,
        "widened": nearest.widened,
        "message": display.outcome_message(nearest, found.origin, lang),
        "sample_data": found.shows_sample_data,
        "providers": [display.provider_json(hit, lang) for hit in nearest.hits],
    })
