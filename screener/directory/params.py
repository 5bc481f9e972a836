"""Query-string parameters of a provider search, shared by the JSON API and the pages.

Every bad value raises ParamError naming the parameter, so that the API can answer 400 with
the name and a page can put the message next to the right field.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l

from . import vocab
from .places import MAX_QUERY_LENGTH
from .search import DEFAULT_LIMIT, DEFAULT_RADIUS_KM, MAX_LIMIT, Filters

MAX_RADIUS_KM = 1000
MAX_PLACE_ID = 2**31 - 1


class ParamError(ValueError):
    """One or more bad parameters; `name` and `message` are the first, `problems` all."""

    def __init__(self, name: str, message: object, *more: tuple[str, object]) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.problems: list[tuple[str, object]] = [(name, message), *more]


class _Problems:
    """Collects ParamErrors so that a form can show every error at once."""

    def __init__(self) -> None:
        self.found: list[tuple[str, object]] = []

    def check(self, parse: Callable[..., Any], *args: Any) -> Any:
        try:
            return parse(*args)
        except ParamError as exc:
            self.found.extend(exc.problems)
            return None

    def raise_any(self) -> None:
        if self.found:
            raise ParamError(*self.found[0], *self.found[1:])


def _decoded(part: bytes) -> str | None:
    try:
        return unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def check_encoding(raw_query: bytes, only: tuple[str, ...] | None = None) -> None:
    """ParamError for every parameter whose name or value is not UTF-8 once percent-decoded.

    Werkzeug keeps undecodable bytes as the literal text "%FF", which then reads as a
    perfectly searchable "FF" (near=%FF found Ffestiniog), so the raw query string is checked
    strictly before anything is parsed. A name that is itself not text is named as sent.
    `only` limits the check to the parameters a page reads (a page's own `lang` is ignored
    when it is not one of ours, so its bytes are nobody's business)."""
    problems: list[tuple[str, object]] = []
    for pair in raw_query.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = _decoded(raw_name)
        if name is None:
            problems.append((quote_from_bytes(unquote_to_bytes(raw_name)), NOT_TEXT))
        elif _decoded(raw_value) is None and (only is None or name in only):
            problems.append((name, NOT_TEXT))
    if problems:
        raise ParamError(*problems[0], *problems[1:])


def without_controls(text: str) -> str:
    """Text safe to echo back into a page: control characters (NUL…) dropped."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _number_text(value: float) -> LazyString:
    """A number written the UI language's way when the message is shown (0,1 in Bulgarian)."""
    return LazyString(format_decimal, value)


NOT_TEXT = _l("contains characters that are not text")


@dataclass(frozen=True)
class ProviderQuery:
    near: str | None
    place_id: int | None
    radius_km: float
    filters: Filters
    limit: int


def _text(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_QUERY_LENGTH:
        raise ParamError(name, _l("must be %(n)d characters or fewer", n=MAX_QUERY_LENGTH))
    return value


def _choice(args: Mapping[str, str], name: str, allowed: object) -> str | None:
    value = _text(args, name)
    if value is not None and value not in allowed:  # type: ignore[operator]
        raise ParamError(name, _l("is not one of the listed values"))
    return value


def _flag(args: Mapping[str, str], name: str) -> bool | None:
    value = _text(args, name)
    if value is None:
        return None
    if value in ("true", "false"):
        return value == "true"
    raise ParamError(name, _l("must be true or false"))


def _language(args: Mapping[str, str]) -> str | None:
    value = _text(args, "language")
    if value is not None and not vocab.is_language(value):
        raise ParamError("language", _l("must be a two-letter language code such as bg or en"))
    return value


def _number(args: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    value = _text(args, name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ParamError(name, _l("must be a number")) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ParamError(name, _l("must be between %(low)s and %(high)s",
                                  low=_number_text(low), high=_number_text(high)))
    return number


def _integer(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _text(args, name)
    if value is None:
        return default
    if not value.strip().isascii() or not value.strip().isdigit():
        raise ParamError(name, _l("must be a whole number"))
    number = int(value)
    if not low <= number <= high:
        raise ParamError(name, _l("must be between %(low)s and %(high)s",
                                  low=_number_text(low), high=_number_text(high)))
    return number


def parse_filters(args: Mapping[str, str]) -> Filters:
    problems = _Problems()
    filters = Filters(
        condition=problems.check(_choice, args, "condition", vocab.CONDITIONS),
        tms_type=problems.check(_choice, args, "tms_type", vocab.TMS_TYPES),
        language=problems.check(_language, args),
        accepting=problems.check(_flag, args, "accepting"),
        remote=problems.check(_flag, args, "remote"),
    )
    problems.raise_any()
    return filters


def _where(args: Mapping[str, str]) -> tuple[str | None, int | None]:
    near = _text(args, "near")
    place_id = _integer(args, "place_id", 0, 1, MAX_PLACE_ID) or None
    if near is None and place_id is None:
        raise ParamError("near", _l("Enter a town, city or coordinates"))
    return near, place_id


def parse_provider_query(args: Mapping[str, str]) -> ProviderQuery:
    """Checks every parameter; raises ParamError listing all the bad ones."""
    problems = _Problems()
    where = problems.check(_where, args)
    radius = problems.check(_number, args, "radius_km", DEFAULT_RADIUS_KM, 0.1, MAX_RADIUS_KM)
    filters = problems.check(parse_filters, args)
    limit = problems.check(_integer, args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    problems.raise_any()
    return ProviderQuery(where[0], where[1], radius, filters, limit)
