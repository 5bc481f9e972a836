"""Framed mode: the screener inside a clinic's own page, working with no cookie at all.

Safari and Firefox (and Chromium, for unpartitioned cookies) do not send our cookies to a
frame on someone else's site, so inside a frame nothing may depend on one:

- The screening is named by its id in the frame's URL path (`/c/<slug>/f/<id>/…`). The id is a
  32-byte random capability; the clinic's page cannot read a cross-origin frame's URL, no
  Referer carries it (Referrer-Policy: no-referrer), and it is checked against the clinic.
- The id is a bearer credential: whoever has the URL has the answers. Browsers are told not
  to open framed URLs as pages of their own (`opened_as_page`), so a link to someone else's
  screening cannot be handed to a victim.
- CSRF needs no cookie either, but tokens alone are not enough: the entry token (start,
  resume) can be fetched by anyone with one GET, so a forged "resume with my code" would land
  the victim in the attacker's screening (login CSRF). Our own frame is the only legitimate
  sender of these forms, so a POST whose Origin or Sec-Fetch-Site names another site is
  refused (`cross_site_post`). Each form still carries a token: HMAC(secret, id) for a
  screening's forms, a signed, time-limited token bound to the clinic for the entry forms.
- Messages after a redirect (`notice`) ride in the URL as a short code, never in a cookie
  and never with an answer in them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, get_flashed_messages, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from ..patient import resume_codes, screenings

ENTRY_MAX_AGE = 6 * 3600
FRAMED_BLUEPRINTS = {"screening": "framed", "summary": "framed_summary"}
FRAME_PREFIX = "/c/<slug>/f/<token>"
ENTRY_ENDPOINTS = frozenset({"clinics.embed", "clinics.embed_begin", "clinics.embed_resume"})
"""The framed start page and its two forms: inside a frame, before a screening exists."""
NOTICE_ARG = "m"


@dataclass(frozen=True)
class Frame:
    slug: str
    token: str | None
    """The screening id, or None on the frame's start page (before a screening exists)."""


def current_frame() -> Frame | None:
    return g.get("frame")


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def screening_token(screening_id: str) -> str:
    return hmac.new(_secret(), b"frame-csrf:" + screening_id.encode(), hashlib.sha256).hexdigest()


def framed_resume_code(screening: Any) -> str:
    """The resume code a framed screening's saved page shows, the same on every view.

    Inside a frame no cookie remembers the code issued at the start, and only its HMAC is
    stored, so the page used to issue a new one each time, and a reload or Back killed the code
    the patient had just copied. This one is derived from the screening's id with the secret
    (anyone holding the id can read the answers anyway), so every view shows the same code;
    the first view stores its hash in place of the start's, which was never shown."""
    secret = current_app.config["SECRET_KEY"]
    digest = hmac.new(_secret(), b"frame-resume:" + screening.id.encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big")
    code = resume_codes.from_number(number)
    hashed = resume_codes.digest(code, secret)
    if screening.resume_hash != hashed:
        screenings.change(screening, resume_hash=hashed)
    return resume_codes.display(code)


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


class FrameCSRF(CSRF):
    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return csrf_token()

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        frame = current_frame()
        sent = field.data if isinstance(field.data, str) else ""
        if frame is None:
            raise ValidationError(_l("The form expired."))
        if frame.token:
            if not hmac.compare_digest(sent, screening_token(frame.token)):
                raise ValidationError(_l("The form expired."))
        elif not entry_token_valid(frame.slug, sent):
            raise ValidationError(_l("The form expired."))


class BaseForm(FlaskForm):
    """Every form of the patient's path: Flask-WTF's cookie-bound CSRF outside a frame, the
    cookieless token inside one."""

    class Meta(FlaskForm.Meta):
        def build_csrf(self, form: Any) -> CSRF:
            if current_frame() is not None:
                return FrameCSRF()
            return super().build_csrf(form)


def endpoint(name: str) -> str:
    """'screening.step' inside a frame becomes 'framed.step' (same view, framed URL)."""
    frame = current_frame()
    if frame is None or not frame.token:
        return name
    blueprint, _, view = name.partition(".")
    framed = FRAMED_BLUEPRINTS.get(blueprint)
    return f"{framed}.{view}" if framed else name


def link(name: str, **values: Any) -> str:
    """url_for that keeps the person inside the frame when they are in one."""
    return url_for(endpoint(name), **values)


def entry_link(**values: Any) -> str:
    """The start of the path: the clinic's framed entry inside a frame, the start page
    elsewhere (for "start again" and "your answers are gone")."""
    frame = current_frame()
    if frame is None:
        return url_for("screening.start", **values)
    return url_for("clinics.embed", slug=frame.slug, **values)


def pull_frame(endpoint_name: str | None, values: dict[str, Any] | None) -> None:
    """Before anything else (the language choice included) knows whether this request is
    framed: a framed path names the screening, the entry endpoints are framed without one."""
    if values and "token" in values and "slug" in values:
        g.frame = Frame(values.pop("slug"), values.pop("token"))
    elif endpoint_name in ENTRY_ENDPOINTS and values and isinstance(values.get("slug"), str):
        g.frame = Frame(values["slug"], None)


def _entry_language() -> str | None:
    """The language an entry URL built inside a frame carries: the page's, or the clinic's when
    the screening this framed page named is gone (its language went with it)."""
    frame = current_frame()
    clinic = g.get("clinic")
    gone = frame is not None and frame.token and "screening" in g and g.screening is None
    if gone and clinic is not None:
        return clinic.language
    return g.get("lang")


def push_frame(endpoint_name: str, values: dict[str, Any]) -> None:
    """Framed URLs keep the screening's id; entry URLs keep the language, since no cookie
    remembers it inside a frame (the snippet opens `embed?lang=bg`, Start must stay in it)."""
    frame = current_frame()
    if frame is None:
        return
    if endpoint_name in ENTRY_ENDPOINTS:
        lang = _entry_language()
        if lang:
            values.setdefault("lang", lang)
        return
    if frame.token and endpoint_name.split(".", 1)[0] in FRAMED_BLUEPRINTS.values():
        values.setdefault("slug", frame.slug)
        values.setdefault("token", frame.token)


# -- requests a frame must refuse ------------------------------------------------------------
SAFE_FETCH_SITES = frozenset({"same-origin", "none"})


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


# -- messages after a redirect, without a cookie ----------------------------------------------
@dataclass(frozen=True)
class Notice:
    message: Any
    """A lazy translatable string: rendered in the language of the page that shows it."""
    category: str
    """"error" (role=alert) or "info" (role=status)."""


NOTICES: dict[str, Notice] = {
    "gone": Notice(_l("Your answers are no longer stored: they were deleted or have expired. "
                      "You can start again."), "info"),
    "expired": Notice(_l("We could not confirm that this came from you. "
                         "Please press Start again."), "error"),
    "confirm-again": Notice(_l("We could not confirm that this came from you. "
                               "Please confirm again."), "error"),
    "missing": Notice(_l("Some questions still need an answer."), "error"),
    "confirm": Notice(_l("Check your answers and confirm them to see your results."), "info"),
    "delete-again": Notice(_l("We could not confirm that this came from you. "
                              "Press the delete button again."), "error"),
}
"""Every message a redirect can carry, by code: the URL says only which one (no answers)."""


def notice(code: str) -> dict[str, str]:
    """Instead of flash(): show NOTICES[code] on the page the redirect leads to. Outside a frame
    it is flashed (the session cookie carries it); inside one there is no cookie, so the code
    rides in the URL. Returns the URL arguments to add: `redirect(link(..., **notice(code)))`."""
    entry = NOTICES[code]
    if current_frame() is None:
        flash(str(entry.message), entry.category)
        return {}
    return {NOTICE_ARG: code}


def flashed_messages(with_categories: bool = False,
                     category_filter: tuple[str, ...] | list[str] = ()) -> list[Any]:
    """get_flashed_messages for templates: inside a frame, the notice named in the URL (and no
    session is touched); elsewhere Flask's flashed messages."""
    if current_frame() is None:
        return get_flashed_messages(with_categories, category_filter)
    entry = NOTICES.get(request.args.get(NOTICE_ARG, ""))
    if entry is None or (category_filter and entry.category not in category_filter):
        return []
    message = str(entry.message)
    return [(entry.category, message)] if with_categories else [message]


def template_context() -> dict[str, Any]:
    """Shadows Flask's get_flashed_messages in every template, so base.html needs no change."""
    return {"get_flashed_messages": flashed_messages}
