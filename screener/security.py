"""Response headers that keep every page private and unframeable by default.

Frame permission is per response: a view may set `g.frame_ancestors` (clinics' embeds) and the
CSP follows; everything else refuses framing.
"""

from __future__ import annotations

from flask import Flask, Response, g

BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


def add_security_headers(response: Response) -> Response:
    ancestors = g.get("frame_ancestors")
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


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
