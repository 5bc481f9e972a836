"""Template globals shared by every page (and the PDF)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from .frame import csrf_token, current_frame, link


def current_lang() -> str:
    return str(get_locale() or "en")


SERVER_ZONES = {"bg": "Europe/Sofia"}
"""Where a page's language says where the reader probably is; elsewhere UTC, labelled. With
JavaScript, app.js shows the reader's own clock time instead."""


def local_time(moment: datetime) -> Markup:
    """A moment for a person: in their language, with its time zone named, and machine-readable
    so the page's script can show it on the reader's own clock."""
    lang = current_lang()
    zone = ZoneInfo(SERVER_ZONES.get(lang, "UTC"))
    pattern = "d MMMM y, HH:mm 'UTC'" if zone.key == "UTC" else "d MMMM y, HH:mm (vvvv)"
    text = format_datetime(moment, pattern, tzinfo=zone, locale=lang)
    iso = moment.astimezone(ZoneInfo("UTC")).isoformat()
    return Markup(f'<time datetime="{escape(iso)}" data-local>{escape(text)}</time>')


def retention_hours() -> int:
    """How long answers are kept, in whole hours for sentences (at least one)."""
    return max(1, round(current_app.config["RETENTION"].total_seconds() / 3600))


def url_endpoints() -> set[str]:
    return set(current_app.view_functions)


def _frame_context() -> dict:
    return {"frame": current_frame(), "csrf_token": csrf_token}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_lang=current_lang,
        url_endpoints=url_endpoints,
        link=link,
        csrf_token=csrf_token,
        local_time=local_time,
        retention_hours=retention_hours,
    )
    app.context_processor(_frame_context)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
