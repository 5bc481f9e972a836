"""Framed mode: the screener inside a clinic's own page, working with no cookie at all.

Safari and Firefox (and Chromium, for unpartitioned cookies) do not send our cookies to a
frame on someone else's site, so inside a frame nothing may depend on one:

- The screening is named by its id in the frame's URL path (`/c/<slug>/f/<id>/…`). The id is a
  32-byte random capability; the clinic's page cannot read a cross-origin frame's URL, no
  Referer carries it (Referrer-Policy: no-referrer), and it is checked against the clinic.
- CSRF needs no cookie either. A cross-site forgery works by riding on credentials the browser
  attaches by itself; here there are none, and the credential (the id) is exactly what the
  forger does not know. Each form still carries a token: HMAC(secret, id) for a screening's
  forms, and a signed, time-limited token bound to the clinic for the two entry forms (start,
  resume), so a POST without the right token is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

ENTRY_MAX_AGE = 6 * 3600
FRAMED_BLUEPRINTS = {"screening": "framed", "summary": "framed_summary"}
FRAME_PREFIX = "/c/<slug>/f/<token>"


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


def pull_frame(endpoint_name: str | None, values: dict[str, Any] | None) -> None:
    if values and "token" in values and "slug" in values:
        g.frame = Frame(values.pop("slug"), values.pop("token"))


def push_frame(endpoint_name: str, values: dict[str, Any]) -> None:
    frame = current_frame()
    if frame is None or not frame.token:
        return
    if endpoint_name.split(".", 1)[0] in FRAMED_BLUEPRINTS.values():
        values.setdefault("slug", frame.slug)
        values.setdefault("token", frame.token)
