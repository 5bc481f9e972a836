"""CSRF inside a clinic's frame, where no cookie reaches us.

Flask-WTF's token is bound to the session cookie, which a frame on another site never sends,
so framed forms carry tokens that need no cookie: HMAC(secret, id) for a screening's forms
(the id is in the frame's URL), a signed, time-limited token bound to the clinic for the entry
forms (start, resume), before a screening exists.

Tokens alone are not enough: the entry token can be fetched by anyone with one GET, so a forged
"resume with my code" would land the victim in the attacker's screening (login CSRF). Our own
frame is the only legitimate sender of these forms, so a POST whose Origin or Sec-Fetch-Site
names another site is refused (`cross_site_post`). The screening id is a bearer credential,
so a framed URL is not served as a page of its own (`opened_as_page`): a link to someone else's
screening cannot be handed to a victim.

`protect` is the check `web.csrf` runs for every framed POST in place of CSRFProtect's.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_wtf.csrf import CSRFError, generate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer

from .framed_urls import current_frame

ENTRY_MAX_AGE = 6 * 3600
SAFE_FETCH_SITES = frozenset({"same-origin", "none"})


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def screening_token(screening_id: str) -> str:
    return hmac.new(_secret(), b"frame-csrf:" + screening_id.encode(), hashlib.sha256).hexdigest()


def _entry_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="frame-entry")


def entry_token(slug: str) -> str:
    return _entry_serializer().dumps(slug)


def entry_token_valid(slug: str, token: str) -> bool:
    try:
        return _entry_serializer().loads(token, max_age=ENTRY_MAX_AGE) == slug
    except BadData:
        return False


def csrf_token() -> str:
    """The token for this page's forms: cookie-bound outside a frame, cookieless inside."""
    frame = current_frame()
    if frame is None:
        return generate_csrf()
    if frame.token:
        return screening_token(frame.token)
    return entry_token(frame.slug)


def protect() -> None:
    """Refuse a framed POST another site sent (403) or whose token does not match this frame
    (CSRFError, which the view's own recovery or the error page answers)."""
    if cross_site_post():
        abort(403)
    frame = current_frame()
    sent = request.form.get(current_app.config["WTF_CSRF_FIELD_NAME"], "")
    if frame is None:
        raise CSRFError("A framed form was sent outside its frame.")
    if frame.token:
        valid = hmac.compare_digest(sent.encode(), screening_token(frame.token).encode())
    else:
        valid = entry_token_valid(frame.slug, sent)
    if not valid:
        raise CSRFError("The frame's token is missing or does not match.")


def _own_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == request.scheme and parts.netloc.lower() == request.host.lower():
        return True
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return False
    public = urlsplit(base)
    return (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower())


def cross_site_post() -> bool:
    """A POST that a browser says another site sent. Our own frame is the only legitimate
    sender of framed forms. `Origin: null` is what our own pages send under
    Referrer-Policy: no-referrer, so then Sec-Fetch-Site decides; a client that sends neither
    (curl, a test client) is no CSRF vector and is judged by the token alone."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null" and not _own_origin(origin):
        return True
    site = request.headers.get("Sec-Fetch-Site")
    return site is not None and site.lower() not in SAFE_FETCH_SITES


def opened_as_page() -> bool:
    """The browser is loading this URL as a top-level page (a link sent by someone, "open frame
    in new tab"), not as a frame: a framed URL is then not served."""
    return request.headers.get("Sec-Fetch-Dest", "").lower() == "document"
