"""JSON API of the provider directory: place autocomplete and nearest providers.

Every answer is dumped through its marshmallow schema (`directory.schemas`), the same classes
the OpenAPI document is generated from.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, request
from marshmallow import Schema

from ..directory import display
from ..directory.params import ParamError, check_encoding, parse_provider_query
from ..directory.places import (
    PlaceNotFound,
    PlaceQueryError,
    check_query,
    coordinates,
    nearest_places,
    search_places,
)
from ..directory.schemas import PlaceListSchema, ProblemSchema, ProviderSearchSchema
from ..directory.service import find_providers
from ..i18n import select_locale
from .problems import PROBLEM_JSON

bp = Blueprint("directory_api", __name__, url_prefix="/api/v1")

# Built once: a marshmallow schema costs more to build than to dump with.
PROBLEM = ProblemSchema()
PLACE_LIST = PlaceListSchema()
PROVIDER_SEARCH = ProviderSearchSchema()

MAX_PLACES = 20


def _json(schema: Schema, body: object, status: int = 200,
          mimetype: str = "application/json") -> Response:
    return Response(json.dumps(schema.dump(body), ensure_ascii=False), status=status,
                    mimetype=mimetype)


def _problem(status: int, title: str, problems: list[tuple[str, object]]) -> Response:
    """RFC 9457 naming every bad parameter (invalid_params), the first in `detail`."""
    name, message = problems[0]
    body: dict[str, Any] = {
        "type": "about:blank", "title": title, "status": status, "detail": f"{name}: {message}",
        "invalid_params": [{"name": n, "reason": str(m)} for n, m in problems],
    }
    return _json(PROBLEM, body, status, PROBLEM_JSON)


def _bad(name: str, message: object, *more: tuple[str, object]) -> Response:
    return _problem(400, "Invalid parameter", [(name, message), *more])


@bp.get("/places")
def places() -> Response:
    """Places matching a name in any script, or the places nearest a "lat,lon" pair.
    ---
    get:
      summary: Find places by name (any script, forgiving spelling), or near a point
      description: >
        A name: exact spellings first, then names starting with the text, then near misses.
        Among exact spellings, the UI language's country (Accept-Language or ?lang=) first,
        then the most populous (another spelling counting as a place a tenth the size); among
        the others, main names before other spellings, then country, then population.
        A trailing country (English or Bulgarian name, or ISO code) or province narrows it:
        "Levski, Pleven", "Sofia, Bulgaria", "Plovdiv BG". Coordinates ("43.37,25.13", or
        "42,69; 23,32" with decimal commas): a reverse look-up, the nearest places first,
        each with its distance_km, and `near` set to the point. Names are in the UI language
        where known.
      parameters:
        - {in: query, name: q, required: true, schema: {$ref: '#/components/schemas/PlaceText'},
           description: 'A place name (Levski, Левски, "Levski, Pleven") or "lat,lon"'}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 20, default: 10}}
        - {in: query, name: lang, schema: {type: string, enum: [en, bg]}}
      responses:
        200:
          description: Matching places, best first, or nearest first (possibly none)
          content:
            application/json:
              schema: PlaceListSchema
        400:
          description: >
            Empty, too long or non-text query (including bytes that are not UTF-8),
            coordinates out of range or not finite (NaN, inf), or a bad limit
          content:
            application/problem+json:
              schema: ProblemSchema
    """
    lang = select_locale()
    try:
        check_encoding(request.query_string)
    except ParamError as exc:
        return _bad(*exc.problems[0], *exc.problems[1:])
    text = request.args.get("q", "")
    limit_text = request.args.get("limit", "10")
    if not (limit_text.isascii() and limit_text.isdigit() and 1 <= int(limit_text) <= MAX_PLACES):
        return _bad("limit", f"must be a whole number from 1 to {MAX_PLACES}")
    limit = int(limit_text)
    try:
        point = coordinates(check_query(text))
        if point is not None:
            near = nearest_places(point, limit)
            return _json(PLACE_LIST, {
                "query": text.strip(), "near": {"lat": point.lat, "lon": point.lon},
                "places": [display.place_json(p, lang) | {"distance_km": round(km, 1)}
                           for p, km in near]})
        found = search_places(text, lang, limit=limit)
    except PlaceQueryError as exc:
        return _bad("q", exc.message)
    return _json(PLACE_LIST, {
        "query": text.strip(), "near": None,
        "places": [display.place_json(p, lang) for p in found]})


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
           description: 'A place name in any script, optionally narrowed by a trailing country
             or province ("Levski, Pleven", "Plovdiv BG"), or "lat,lon". Required unless
             place_id.'}
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
              schema: ProviderSearchSchema
        400:
          description: >
            A parameter is missing or invalid (including bytes that are not UTF-8);
            invalid_params names each
          content:
            application/problem+json:
              schema: ProblemSchema
        404:
          description: No place has that name or id
          content:
            application/problem+json:
              schema: ProblemSchema
    """
    lang = select_locale()
    try:
        check_encoding(request.query_string)
        query = parse_provider_query(request.args)
        found = find_providers(query, lang)
    except ParamError as exc:
        return _bad(*exc.problems[0], *exc.problems[1:])
    except PlaceQueryError as exc:
        return _bad("near", exc.message)
    except PlaceNotFound:
        name = "place_id" if request.args.get("place_id") else "near"
        return _problem(404, "Place not found", [(name, "no place matches")])
    nearest = found.nearest
    return _json(PROVIDER_SEARCH, {
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
