"""The patient's path as operations: start, resume, submit a step, confirm, delete.

The site's pages and a clinic's frame both call these; they differ only in how the screening
is named (the session cookie or the frame's URL, see active.py) and how URLs are built. Each
operation is one transaction: it commits everything or, on any error, nothing ("start
again" deletes the old answers and creates the new screening in one commit).

What can go wrong for the person raises `ScreeningError`, whose code names one of the
translatable `error_messages` beside it (pretix's services/cart.py pattern): views redirect
with the code only (never with what was typed) and show `message_for(code)` on the next page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import database
from ..engine import wizard
from ..extensions import db
from ..questionnaire.model import Questionnaire, Section
from ..timestamps import utcnow
from . import resume_codes, storage
from .model import Screening

TOKEN = "token"
EMPTY = "empty"
LENGTH = "length"
UNKNOWN = "unknown"
ELSEWHERE = "elsewhere"
MISSING = "missing"

log = logging.getLogger(__name__)


def _unknown(retention_hours: int) -> str:
    return ngettext(
        "We could not find answers for that code. Check it and try again: "
        "answers are deleted %(num)d hour after the last change.",
        "We could not find answers for that code. Check it and try again: "
        "answers are deleted %(num)d hours after the last change.",
        retention_hours,
    )


error_messages: dict[str, Any] = {
    TOKEN: _l("We could not confirm that this came from you. Please enter the code again."),
    EMPTY: _l("Enter your resume code"),
    LENGTH: _l("A resume code has 12 characters, for example 7KQ2-M9XD-4HRT"),
    UNKNOWN: _unknown,
    ELSEWHERE: _l(
        "This code is for answers started somewhere else, not on this clinic's page. "
        "You can continue them in the general screener."
    ),
    MISSING: _l("Some questions still need an answer."),
}
"""What the person reads for each error code; a callable takes the retention in hours."""


class ScreeningError(Exception):
    """An operation the person asked for cannot be done as asked; `code` keys error_messages."""

    def __init__(self, code: str, step: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.step = step
        """For MISSING: the first step that still needs an answer."""

    def message(self, retention_hours: int) -> str:
        return str(message_for(self.code, retention_hours))


def message_for(code: str | None, retention_hours: int) -> str | None:
    """The message of an error code taken from a URL; None for anything we never send."""
    text = error_messages.get(code or "")
    if text is None:
        return None
    return text(retention_hours) if callable(text) else str(text)


_STEP_MESSAGES: dict[str, Callable[[], str]] = {
    wizard.REQUIRED: lambda: _("Select an answer"),
    wizard.REQUIRED_MANY: lambda: _("Select at least one answer"),
    wizard.UNKNOWN_CODE: lambda: _("Select one of the answers shown"),
    wizard.TOO_MANY: lambda: _("Select only one answer"),
}


def step_errors(
    q: Questionnaire, errors: Sequence[wizard.StepError], lang: str
) -> dict[str, str]:
    """The wizard's error codes of a page as what the person reads, by question."""
    out = {}
    for error in errors:
        item = q.items.get(error.link_id)
        if item is None:
            continue
        if error.code == wizard.TOO_LONG:
            out[error.link_id] = _(
                "Use %(max)s characters or fewer", max=format_decimal(error.limit, locale=lang)
            )
        elif error.code == wizard.REQUIRED and item.type == "text":
            out[error.link_id] = _("Enter an answer")
        elif error.code == wizard.REQUIRED and item.codes == {"yes", "no", "unsure"}:
            out[error.link_id] = _("Select yes, no or not sure")
        elif error.code in _STEP_MESSAGES:
            out[error.link_id] = _STEP_MESSAGES[error.code]()
    return out


@contextmanager
def transaction(*, deleted: bool = False) -> Iterator[None]:
    """One commit for everything inside, or a rollback; after a commit that deleted answers,
    their bytes are scrubbed from the files (database.scrub)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if deleted:
        database.scrub(purge=False)


@dataclass(frozen=True)
class Started:
    screening: Screening
    resume_code: str
    """Shown to the person (and kept in the session cookie for display); stored only hashed."""


def live(screening_id: str | None) -> Screening | None:
    """The live screening with this id; an expired one is deleted on the spot (its own
    transaction), so that no page shows answers past their retention time."""
    record = storage.get_any(screening_id)
    if record is None or not storage.expired(record):
        return record
    with transaction(deleted=True):
        storage.delete(record)
    return None


def start(
    version: str,
    language: str,
    retention: timedelta,
    secret_key: str,
    *,
    clinic_slug: str | None = None,
    replacing: Screening | None = None,
) -> Started:
    """A new screening. `replacing` is the one this browser or frame had: "Start again" means
    its answers go, in the same commit, when it belongs to the same place (the site's start
    page replaces any; a clinic's replaces only that clinic's, since the page warned only
    about those)."""
    code = resume_codes.new()
    drop = replacing is not None and (clinic_slug is None or replacing.clinic_slug == clinic_slug)
    with transaction(deleted=drop):
        if drop and replacing is not None:
            storage.delete(replacing)
        record = storage.add(
            version, language, retention, resume_codes.digest(code, secret_key), clinic_slug
        )
    log.info("screening created (questionnaire %s)", version)
    return Started(record, code)


@dataclass(frozen=True)
class Resumed:
    screening: Screening
    resume_code: str
    """The code as issued (normalised), to show again after resuming."""


def resume(
    typed: str, secret_key: str, *, clinic_slug: str | None = None, language: str | None = None
) -> Resumed:
    """The live screening a typed code names. With `clinic_slug` (inside a clinic's frame) only
    that clinic's screenings count: moving one would hand it to another clinic. `language`, if
    given, becomes the screening's (the frame's entry page chose it, no cookie remembers it)."""
    code = resume_codes.normalise(typed)
    if not code:
        raise ScreeningError(EMPTY)
    if len(code) != resume_codes.LENGTH:
        raise ScreeningError(LENGTH)
    found = storage.find_by_resume_hash(resume_codes.digest(code, secret_key))
    record = live(found.id) if found is not None else None
    if record is None:
        raise ScreeningError(UNKNOWN)
    if clinic_slug is not None and record.clinic_slug != clinic_slug:
        raise ScreeningError(ELSEWHERE)
    if language is not None and record.language != language:
        with transaction():
            record.language = language
            record.updated_at = utcnow()
    return Resumed(record, code)


def shown_state(record: Screening, page: Section) -> wizard.PageState:
    """What this page shows: after a failed submit of it, the values and errors that submit
    left; otherwise nothing beyond the stored answers.

    A read, never a write: the failed state stays stored until the next save of any page
    replaces it, so a reload or Back to the page after the redirect shows the same page (what
    a redirect after POST promises), and Continue from any page, or saving, clears it. Clearing
    it on the first view instead would make a GET write, and a prefetch or a second tab would
    then eat the errors the person had not seen yet."""
    pending = record.pending
    return wizard.PageState.restore(
        pending if pending and pending.get("section") == page.id else None
    )


def submit_step(
    record: Screening,
    q: Questionnaire,
    page: Section,
    posted: Mapping[str, list[str]],
    retention: timedelta,
    *,
    seen_in_place: bool = False,
    saving: bool = False,
) -> wizard.StepResult:
    """Judge one page's answers and store what is valid. With errors or newly shown questions
    (and not `saving`, where gaps can wait) the page's state is kept for the page after the
    redirect. Changed answers withdraw an earlier confirmation: results are only shown for
    answers the patient has checked as a whole."""
    result = wizard.submit_step(q, record.answers, page, posted, seen_in_place=seen_in_place)
    answers = dict(result.answers)
    with transaction():
        if record.completed_at is not None and answers != record.answers:
            record.completed_at = None
        record.answers = answers
        keep = result.stay and not saving
        record.pending = wizard.PageState.of(page, result).dump() if keep else None
        record.furthest_step = max(record.furthest_step or 0, wizard.position(q, page.id))
        storage.touch(record, retention)
    return result


def confirm(record: Screening, q: Questionnaire) -> None:
    """The person has checked their answers; results follow. Refused while a question still
    needs an answer (another tab may have changed them since the check page was shown)."""
    missing = wizard.first_unfinished(q, record.answers)
    if missing != wizard.CHECK:
        raise ScreeningError(MISSING, step=missing)
    with transaction():
        record.completed_at = utcnow()
        record.updated_at = record.completed_at


def change(record: Screening, **fields: Any) -> None:
    """Settings beside the answers (language, the place the directory was searched from, the
    hash of a frame's derived resume code), in one commit."""
    with transaction():
        for name, value in fields.items():
            setattr(record, name, value)
        record.updated_at = utcnow()


def delete(record: Screening) -> None:
    """Deleted means gone: from queries at once, from the files right after the commit."""
    with transaction(deleted=True):
        storage.delete(record)
    log.info("screening deleted")


