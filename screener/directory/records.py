"""Provider records: the one shape shared by import files, export files and the database.

A record is a dict validated against `provider.schema.json` plus the checks a schema cannot
express (real country and language codes, a real date not in the future, origins).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_app_context
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..web.security import is_frame_origin
from . import vocab
from .geo import lat_band
from .models import Provider

SCHEMA_FILE = Path(__file__).parent / "provider.schema.json"

LIST_FIELDS = ("languages", "conditions", "tms_types", "embed_origins")
BOOL_FIELDS = ("accepting_new_patients", "remote_consultation", "is_sample")
NUMBER_FIELDS = ("lat", "lon")
DEFAULTS: Mapping[str, Any] = {"is_sample": False, "embed_origins": [], "language": "en"}

_TYPE_WORDS = {
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "string": "text",
    "object": "an object",
}


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def fields() -> list[str]:
    return list(schema()["properties"])


def required_fields() -> list[str]:
    return list(schema()["required"])


def _describe(error: ValidationError) -> Iterator[tuple[str, str]]:
    """(field, message) in words an editor of the file understands."""
    where = [str(part) for part in error.absolute_path]
    field = where[0] if where else ""
    prop = schema()["properties"].get(field, {})
    hint = prop.get("description") or prop.get("items", {}).get("description")
    kind = error.validator
    rule: Any = error.validator_value  # jsonschema types it loosely; its shape follows `kind`
    instance: Any = error.instance
    if kind == "required":
        for name in rule:
            if name not in instance:
                yield name, "is required"
        return
    if kind == "additionalProperties":
        for name in sorted(set(instance) - set(schema()["properties"])):
            yield name, "is not a known field"
        return
    item = f" (item {int(where[1]) + 1})" if len(where) > 1 else ""
    if kind == "type":
        expected = rule
        expected = expected[0] if isinstance(expected, list) else expected
        yield field, f"must be {_TYPE_WORDS.get(expected, expected)}{item}"
    elif kind == "enum":
        yield field, f"{instance!r} is not one of: {', '.join(rule)}"
    elif kind in ("minimum", "maximum"):
        yield field, f"must be between {prop.get('minimum')} and {prop.get('maximum')}"
    elif kind == "minItems":
        yield field, "must list at least one value"
    elif kind == "uniqueItems":
        yield field, "lists the same value twice"
    elif kind == "minLength":
        yield field, "must not be empty"
    elif kind == "maxLength":
        yield field, f"must be at most {rule} characters{item}"
    elif kind == "pattern":
        yield field, f"{instance!r} is not valid{item}: {hint or 'wrong format'}"
    else:
        yield field, error.message


def _loopback(host: str) -> bool:
    """localhost or 127.0.0.0/8: a development machine's own addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _development() -> bool:
    return has_app_context() and current_app.config.get("SCREENER_ENV") == "development"


def loopback_origins_allowed(allow_localhost: bool = False) -> bool:
    """http://localhost and http://127.0.0.1 (any port) are for trying the snippet on a
    development machine: allowed when the caller says so or the app runs in development."""
    return allow_localhost or _development()


_ORIGIN_EXAMPLE = "an origin such as https://clinic.example"
_NOT_IN_ORIGIN = frozenset("*;,'\"`<>\\")


def embed_origin_problem(origin: str, allow_localhost: bool = False) -> str | None:
    """Why `origin` cannot go into a frame-ancestors list, or None. Only scheme://host[:port]
    (lower case once normalised) passes: no path, query, userinfo, wildcard, whitespace, `;`,
    `,` or quotes, since each would widen framing or break the header."""
    shown = repr(origin)
    if any(ch in _NOT_IN_ORIGIN for ch in origin):
        return f"{shown} must be one exact origin (no *, ;, comma or quotes)"
    if any(ch.isspace() or not ch.isprintable() for ch in origin):
        return f"{shown} must not contain spaces or line breaks"
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{shown} is not {_ORIGIN_EXAMPLE}"
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        return f"{shown} is not {_ORIGIN_EXAMPLE}"
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc or origin.endswith(
        ("?", "#")
    ):
        return f"{shown} must be an origin only: scheme, host and port, no path"
    if not is_frame_origin(origin.lower()):
        return f"{shown} is not {_ORIGIN_EXAMPLE} (letters, digits, dots and hyphens only)"
    if parts.scheme.lower() == "http":
        if loopback_origins_allowed(allow_localhost) and _loopback(parts.hostname):
            return None
        return f"{shown} must use https (http://localhost only in development)"
    return None


def usable_embed_origins(stored: object) -> tuple[str, ...]:
    """The stored origins that would pass import today; a bad database row never reaches a
    header or a page."""
    if not isinstance(stored, list | tuple):
        return ()
    return tuple(
        origin for origin in stored
        if isinstance(origin, str) and origin == origin.lower()
        and embed_origin_problem(origin) is None
    )


_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
"""Control, format (bidi overrides and isolates, zero-width characters), surrogate, private-use
and line/paragraph separator characters: invisible on a page, they can make a name or an
address read as something else (U+202E turns "moc.elpmaxe" round)."""


MULTILINE_FIELDS = frozenset({"address"})
"""A postal address may have line breaks; every other text is one line."""


def hidden_character(text: str, line_breaks: bool = False) -> str | None:
    """The first invisible or control character of `text`, named for a message, or None."""
    for ch in text:
        if line_breaks and ch in "\r\n":
            continue
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            name = unicodedata.name(ch, "a control character")
            return f"U+{ord(ch):04X} ({name})"
    return None


def _character_checks(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in record.items():
        if name == "embed_origins":  # embed_origin_problem says it in its own words
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and (
                found := hidden_character(item, name in MULTILINE_FIELDS)
            ):
                yield name, f"contains an invisible or control character, {found}; remove it"
                break


_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*[^\W_]")
"""Dot-separated labels of letters, digits and hyphens (any script), ending in a name."""

_EMAIL = re.compile(r"[A-Za-z0-9!$'*+/=^_`{|}~.-]+@" + _HOST.pattern)
"""name@domain and nothing a `mailto:` link reads as more: no `?` or `&` (headers such as
cc= or body=), `#`, `%`, `:`, comma or space."""


def _website_problem(website: str) -> str | None:
    shown = repr(website)
    try:
        parts = urlsplit(website)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{shown} is not an http:// or https:// address"
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        return f"{shown} is not an http:// or https:// address"
    if "@" in parts.netloc:
        return f"{shown} names a user before the host (user@host); give the address alone"
    if "\\" in website or any(ch.isspace() for ch in website):
        return f"{shown} must not contain spaces or backslashes"
    if not _HOST.fullmatch(parts.hostname or ""):
        return f"{shown} has a host that is not a domain name such as clinic.example"
    return None


def _number_checks(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name in NUMBER_FIELDS:
        value = record.get(name)
        if isinstance(value, float) and not math.isfinite(value):
            yield name, "must be a finite number (not NaN or Infinity)"


def _extra_checks(record: Mapping[str, Any], allow_localhost: bool) -> Iterator[tuple[str, str]]:
    yield from _character_checks(record)
    yield from _number_checks(record)
    if isinstance(record.get("country"), str) and not vocab.is_country(record["country"]):
        yield "country", f"{record['country']!r} is not an ISO 3166-1 country code"
    for code in record.get("languages") or []:
        if isinstance(code, str) and not vocab.is_language(code):
            yield "languages", f"{code!r} is not an ISO 639-1 language code"
    verified = record.get("last_verified")
    if isinstance(verified, str):
        try:
            day = date.fromisoformat(verified)
        except ValueError:
            yield "last_verified", f"{verified!r} is not a real date (YYYY-MM-DD)"
        else:
            if day > datetime.now(UTC).date():
                yield "last_verified", f"{verified} is in the future"
    website = record.get("website")
    if isinstance(website, str) and (problem := _website_problem(website)):
        yield "website", problem
    email = record.get("email")
    if isinstance(email, str) and not _EMAIL.fullmatch(email):
        yield "email", (f"{email!r} is not one e-mail address such as info@example.org "
                        "(no mailto:, ?, &, #, % or spaces)")
    yield from _embed_origin_checks(record.get("embed_origins"), allow_localhost)


def _embed_origin_checks(origins: Any, allow_localhost: bool) -> Iterator[tuple[str, str]]:
    if not isinstance(origins, list):
        return
    seen: set[str] = set()
    for origin in origins:
        if not isinstance(origin, str):
            continue
        if problem := embed_origin_problem(origin, allow_localhost):
            yield "embed_origins", problem
        elif origin.lower() in seen:
            yield "embed_origins", f"{origin!r} is listed twice"
        seen.add(origin.lower())


def problems(record: Mapping[str, Any], allow_localhost: bool = False) -> list[tuple[str, str]]:
    """Every (field, message) wrong with `record`; empty when it can be stored."""
    found = [pair for error in _validator().iter_errors(record) for pair in _describe(error)]
    bad_fields = {name for name, _ in found}
    found += [p for p in _extra_checks(record, allow_localhost) if p[0] not in bad_fields]
    return found


def normalised(record: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults filled in and absent optional fields as None, for comparing and storing."""
    complete = {name: record.get(name, DEFAULTS.get(name)) for name in fields()}
    for name in LIST_FIELDS:
        complete[name] = list(complete[name] or [])
    complete["embed_origins"] = [
        o.lower() if isinstance(o, str) else o for o in complete["embed_origins"]
    ]
    return complete


def apply(provider: Provider, record: Mapping[str, Any]) -> None:
    r = normalised(record)
    for name in ("slug", "name", "clinic", "address", "city", "country", "phone", "website",
                 "email", "accepting_new_patients", "remote_consultation", "is_sample",
                 "embed_origins", "language"):
        setattr(provider, name, r[name])
    provider.lat, provider.lon = float(r["lat"]), float(r["lon"])
    provider.lat_band = lat_band(provider.lat)
    provider.spoken_languages = "," + ",".join(r["languages"]) + ","
    provider.condition_bits = vocab.bits(r["conditions"], vocab.CONDITIONS)
    provider.tms_bits = vocab.bits(r["tms_types"], vocab.TMS_TYPES)
    provider.last_verified = date.fromisoformat(r["last_verified"])
    provider.updated_at = datetime.now(UTC)


def languages_of(provider: Provider | sa.Row[Any]) -> list[str]:
    return [code for code in provider.spoken_languages.split(",") if code]


def record_of(provider: Provider) -> dict[str, Any]:
    """The provider as a complete record (None for absent optional fields)."""
    return {
        "slug": provider.slug,
        "name": provider.name,
        "clinic": provider.clinic,
        "address": provider.address,
        "city": provider.city,
        "country": provider.country,
        "lat": provider.lat,
        "lon": provider.lon,
        "phone": provider.phone,
        "website": provider.website,
        "email": provider.email,
        "languages": languages_of(provider),
        "conditions": vocab.codes(provider.condition_bits, vocab.CONDITIONS),
        "tms_types": vocab.codes(provider.tms_bits, vocab.TMS_TYPES),
        "accepting_new_patients": provider.accepting_new_patients,
        "remote_consultation": provider.remote_consultation,
        "last_verified": provider.last_verified.isoformat(),
        "is_sample": provider.is_sample,
        "embed_origins": list(provider.embed_origins or []),
        "language": provider.language,
    }
