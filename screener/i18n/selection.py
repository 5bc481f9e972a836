"""Which language a request is served in, and a context manager to render in another.

The order: an explicit choice for this request (`g.lang`, set by views from the screening or a
`?lang=`), then the browser's Accept-Language, then English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from flask_babel import force_locale


def supported() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = g.get("lang")
    if chosen in supported():
        return chosen
    asked = request.args.get("lang")
    if asked in supported():
        return asked
    return request.accept_languages.best_match(supported()) or "en"


def browser_country() -> str | None:
    """The region of the browser's first language tag that names one ("en-GB" → "GB"): the
    best guess of where someone is when they have named no clinic and no town."""
    if not has_request_context():
        return None
    for tag, _quality in request.accept_languages:
        _lang, _sep, region = tag.replace("_", "-").partition("-")
        if len(region) == 2 and region.isalpha():
            return region.upper()
    return None


@contextmanager
def language(code: str) -> Iterator[None]:
    """Render something (a PDF, a clinic's copy) in `code` whatever the request's language."""
    with force_locale(code):
        yield
