"""Finding a screening again from its resume code, for the site and for a clinic's frame.

One place decides what a typed code means, so both entry points refuse the same things in the
same words. The outcome names a problem by code only: the views redirect with that code (never
with what was typed), so the page after a wrong code is an ordinary page that Back can return to.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from . import storage

TOKEN = "token"
EMPTY = "empty"
LENGTH = "length"
UNKNOWN = "unknown"
ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Found:
    screening: storage.Screening | None
    problem: str | None = None
    code: str = ""
    """The code as issued (normalised), to show again after resuming."""


def find(typed: str, secret_key: str, clinic_slug: str | None = None) -> Found:
    """The live screening a typed code names. With `clinic_slug` (inside a clinic's frame) only
    that clinic's screenings count: moving one would hand it to another clinic."""
    code = storage.normalise_resume_code(typed)
    if not code:
        return Found(None, EMPTY)
    if len(code) != storage.RESUME_LENGTH:
        return Found(None, LENGTH)
    record = storage.find_by_resume_code(code, secret_key)
    if record is None:
        return Found(None, UNKNOWN)
    if clinic_slug is not None and record.clinic_slug != clinic_slug:
        return Found(None, ELSEWHERE)
    return Found(record, None, code)


def message(problem: str | None, retention_hours: int) -> str | None:
    """What the person reads for a problem code (unknown codes, e.g. a tampered URL: nothing)."""
    if problem == TOKEN:
        return _("We could not confirm that this came from you. Please enter the code again.")
    if problem == EMPTY:
        return _("Enter your resume code")
    if problem == LENGTH:
        return _("A resume code has 12 characters, for example 7KQ2-M9XD-4HRT")
    if problem == UNKNOWN:
        return ngettext(
            "We could not find answers for that code. Check it and try again: "
            "answers are deleted %(num)d hour after the last change.",
            "We could not find answers for that code. Check it and try again: "
            "answers are deleted %(num)d hours after the last change.",
            retention_hours,
        )
    if problem == ELSEWHERE:
        return _(
            "This code is for answers started somewhere else, not on this clinic's page. "
            "You can continue them in the general screener."
        )
    return None
