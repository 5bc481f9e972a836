"""The screening this request works on: named by the session cookie on the site, by the
frame's URL inside a clinic's frame. The one place that knows the difference.

The cookie carries the id (and, for display only, the resume code); answers never leave the
server. Language is per browser and per screening, so switching keeps progress.
"""

from __future__ import annotations

import time

from flask import current_app, g, request, session

from .. import purging
from ..clinics.framed_urls import Frame, current_frame
from ..i18n import supported
from ..questionnaire.model import Questionnaire
from . import resume_codes, screenings
from .model import Screening

SESSION_ID = "sid"
SESSION_CODE = "code"
SESSION_LANG = "lang"
PURGE_EVERY_SECONDS = 60.0
ONE_OFF_LANGUAGE = frozenset({"summary", "framed_summary"})
"""Blueprints where `?lang=` picks one document's language (the clinic's copy of the summary)
and leaves the person's own choice, and their screening's, unchanged."""
_last_purge = [0.0]


def registry():
    return current_app.extensions["questionnaires"]


def screening() -> Screening | None:
    """The live screening: named by the frame's URL inside a clinic's frame (no cookie there),
    by the session cookie everywhere else."""
    if "screening" not in g:
        frame = current_frame()
        if frame is not None:
            record = screenings.live(frame.token) if frame.token else None
            g.screening = record if record and record.clinic_slug == frame.slug else None
        else:
            g.screening = screenings.live(session.get(SESSION_ID))
            if g.screening is None and SESSION_ID in session:
                forget()
    return g.screening


def questionnaire_for(record: Screening | None) -> Questionnaire:
    """The version a screening was started on: answers are judged by the rules they met."""
    if record is not None:
        found = registry().get(record.questionnaire_version)
        if found is not None:
            return found
    return registry().current


def start(clinic_slug: str | None = None) -> Screening:
    """A new screening on the current questionnaire, in the page's language, named from now on
    by this browser's cookie or this frame's URL; "start again" replaces the one named now."""
    started = screenings.start(
        registry().current.version,
        g.get("lang", "en"),
        current_app.config["RETENTION"],
        current_app.config["SECRET_KEY"],
        clinic_slug=clinic_slug,
        replacing=screening(),
    )
    adopt(started.screening, started.resume_code)
    return started.screening


def resume(typed: str, clinic_slug: str | None = None) -> Screening:
    """The screening a typed code names, adopted like a started one (screenings.resume raises
    ScreeningError for a code that names none). Inside a frame the entry page's language
    becomes the screening's, as on Start."""
    framed = current_frame() is not None
    found = screenings.resume(
        typed[:64],
        current_app.config["SECRET_KEY"],
        clinic_slug=clinic_slug,
        language=g.get("lang") if framed else None,
    )
    adopt(found.screening, found.resume_code)
    return found.screening


def adopt(record: Screening, code: str | None) -> None:
    """Name `record` for the rest of this request and the next ones: inside a frame its id goes
    into every framed URL built from now on (frame.push_frame); elsewhere into the cookie."""
    g.screening = record
    frame = current_frame()
    if frame is not None:
        g.frame = Frame(frame.slug, record.id)
        return
    session.clear()
    session[SESSION_ID] = record.id
    if code:
        session[SESSION_CODE] = code
    session[SESSION_LANG] = record.language
    g.screening = record


def resume_code() -> str | None:
    if current_frame() is not None:
        return None
    code = session.get(SESSION_CODE)
    return resume_codes.display(code) if code else None


def forget() -> None:
    if current_frame() is not None:
        g.screening = None
        return
    lang = session.get(SESSION_LANG)
    session.clear()
    if lang:
        session[SESSION_LANG] = lang
    g.screening = None


def choose_language() -> None:
    """Before each page: `?lang=` wins and is remembered (for this request only on the
    ONE_OFF_LANGUAGE blueprints), then the screening's, then the browser's."""
    langs = supported()
    asked = request.args.get("lang")
    if asked in langs:
        g.lang = asked
        if request.blueprint in ONE_OFF_LANGUAGE:
            return
        if current_frame() is None and session.get(SESSION_LANG) != asked:
            session[SESSION_LANG] = asked
        record = screening()
        if record is not None and record.language != asked:
            screenings.change(record, language=asked)
        return
    remembered = None if current_frame() is not None else session.get(SESSION_LANG)
    if remembered is None and current_frame() is not None and current_frame().token:
        record = screening()
        remembered = record.language if record is not None else None
    if remembered in langs:
        g.lang = remembered
        return
    g.lang = request.accept_languages.best_match(langs) or "en"


def purge_now_and_then() -> None:
    """Expired answers go even if nobody runs `flask purge`: at most once a minute per worker,
    unless a scheduled job purges (SCREENER_PURGE=job)."""
    if not purging.lazy():
        return
    now = time.monotonic()
    if now - _last_purge[0] >= PURGE_EVERY_SECONDS:
        _last_purge[0] = now
        purging.purge_expired()
        purging.purge_clinic_copies()
