"""Messages after a redirect, on the site and inside a clinic's frame.

On the site they are flashed (the session cookie carries them); inside a frame there is no
cookie, so the redirect's URL carries a short code naming one of NOTICES, never the message
itself and never anything of an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, get_flashed_messages, request
from flask_babel import lazy_gettext as _l

from .framed_urls import current_frame

NOTICE_ARG = "m"


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
    """Instead of flash(): show NOTICES[code] on the page the redirect leads to. Returns the URL
    arguments to add: `redirect(link(..., **notice(code)))`."""
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
