"""Template globals shared by every page (and the PDF)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale

from .frame import csrf_token, current_frame, link


def current_lang() -> str:
    return str(get_locale() or "en")


def url_endpoints() -> set[str]:
    return set(current_app.view_functions)


def _frame_context() -> dict:
    return {"frame": current_frame(), "csrf_token": csrf_token}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_lang=current_lang, url_endpoints=url_endpoints, link=link, csrf_token=csrf_token
    )
    app.context_processor(_frame_context)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
