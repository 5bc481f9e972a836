"""Response headers that keep every page private and unframeable by default.

Frame permission is per response: a view may set `g.frame_ancestors` (clinics' embeds) and the
CSP follows; everything else refuses framing. Whatever a view or a database row hands in, only
values of the strict origin form reach the header, so a bad row can neither widen framing
(`*`, `https:`), inject a directive (`; sandbox`) nor break the header (a line break).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, Response, g

BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
FRAME_ORIGIN = re.compile(rf"https?://{_LABEL}(?:\.{_LABEL})*(?::[1-9][0-9]{{0,4}})?", re.ASCII)
"""scheme://host[:port] in lower case: nothing a CSP source list or postMessage could read as
more than one exact origin."""


def is_frame_origin(value: object) -> bool:
    """True for one exact origin such as https://clinic.example:8443 (syntax only)."""
    if not isinstance(value, str) or FRAME_ORIGIN.fullmatch(value) is None:
        return False
    port = value.rpartition(":")[2]
    return not port.isdigit() or int(port) <= 65535


def safe_origins(values: Iterable[object] | None) -> list[str]:
    """The values that are exact origins, in order; everything else is dropped."""
    return [value for value in values or () if is_frame_origin(value)]


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
    app.after_request(add_security_headers)
    if app.config.get("HSTS_MAX_AGE"):
        app.after_request(strict_transport(app.config["HSTS_MAX_AGE"]))
