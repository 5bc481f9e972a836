"""Response headers that keep every page private and unframeable by default, and the bytes no
request may carry.

Frame permission is per response: a view may set `g.frame_ancestors` (clinics' embeds) and the
CSP follows; everything else refuses framing. Whatever a view or a database row hands in, only
values of the strict origin form reach the header, so a bad row can neither widen framing
(`*`, `https:`), inject a directive (`; sandbox`) nor break the header (a line break).

Requests: a NUL or another control character in the path, the query (but for the provider
search and directory API, which name the bad parameter themselves) or a form value (a tab and
line breaks in a form value excepted: a textarea sends them) is refused with 400 before anything
else runs, the database included (PostgreSQL refuses a NUL in text with an error of its own);
so is a form body that is not UTF-8, with a page saying so rather than a token mismatch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, g, request
from werkzeug.exceptions import BadRequest

BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
FRAME_ORIGIN = re.compile(rf"https?://{_LABEL}(?:\.{_LABEL})*(?::[1-9][0-9]{{0,4}})?", re.ASCII)
"""scheme://host[:port] in lower case: nothing a CSP source list or postMessage could read as
more than one exact origin."""


SAFE_METHODS = frozenset({"GET", "HEAD"})
"""Methods a view answers like a GET: a HEAD must never run a form's POST branch."""

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Unicode's control characters (Cc): C0, DEL and C1."""
FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""The same, less tab, line feed and carriage return, which a textarea sends."""
FORM_TYPE = "application/x-www-form-urlencoded"
OWN_QUERY_CHECKS = frozenset({"providers", "directory_api"})
"""Blueprints that check their own query parameters before any look-up and say which one is
wrong (the provider search's error summary, the directory API's problem naming the parameter),
which is more help than a page for the whole request."""


class ControlCharacters(BadRequest):
    """The path, query or a form value holds a control character."""

    description = "the request contains a control character"


class NotUtf8(BadRequest):
    """A form body whose bytes are not UTF-8."""

    description = "the form was not sent as UTF-8"


def refuse_bad_bytes(_endpoint: str | None = None, _values: dict | None = None) -> None:
    """Raise before any lookup (it runs as the first URL-value preprocessor, ahead of the
    clinic's and the frame's, which read the database)."""
    if CONTROL.search(request.path):
        raise ControlCharacters()
    if request.blueprint not in OWN_QUERY_CHECKS and any(
        CONTROL.search(key) or CONTROL.search(value)
        for key, values in request.args.lists()
        for value in values
    ):
        raise ControlCharacters()
    if request.method in SAFE_METHODS or request.mimetype != FORM_TYPE:
        return
    if not _utf8_form(request.get_data(cache=True)):
        raise NotUtf8()
    if any(
        CONTROL.search(key) or FORM_CONTROL.search(value)
        for key, values in request.form.lists()
        for value in values
    ):
        raise ControlCharacters()


def _utf8_form(body: bytes) -> bool:
    """Every name and value of a urlencoded body, percent-decoded, is UTF-8 (Werkzeug would
    replace what is not, or drop the whole form when raw bytes are not)."""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def is_frame_origin(value: object) -> bool:
    """True for one exact origin such as https://clinic.example:8443 (syntax only)."""
    if not isinstance(value, str) or FRAME_ORIGIN.fullmatch(value) is None:
        return False
    port = value.rpartition(":")[2]
    return not port.isdigit() or int(port) <= 65535


def safe_origins(values: Iterable[object] | None) -> list[str]:
    """The values that are exact origins, in order; everything else is dropped."""
    return [value for value in values or () if isinstance(value, str) and is_frame_origin(value)]


def add_security_headers(response: Response) -> Response:
    ancestors = safe_origins(g.get("frame_ancestors"))
    frame = " ".join(ancestors) if ancestors else "'none'"
    response.headers["Content-Security-Policy"] = f"{BASE_CSP}; frame-ancestors {frame}"
    if not ancestors:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def strict_transport(max_age: int):
    """HSTS for production: after one visit over HTTPS the browser never tries plain HTTP
    again, so nobody on the network can strip TLS from a patient's later visits."""

    def add_hsts(response: Response) -> Response:
        response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
        return response

    return add_hsts


def init_app(app: Flask) -> None:
    app.url_value_preprocessors.setdefault(None, []).insert(0, refuse_bad_bytes)
    app.after_request(add_security_headers)
    if app.config.get("HSTS_MAX_AGE"):
        app.after_request(strict_transport(app.config["HSTS_MAX_AGE"]))
