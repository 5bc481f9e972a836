"""Every error becomes a clear answer: problem+json under /api, a page in the person's language
elsewhere. Never a stack trace, and never the request body in a log line (it may hold health
data)."""

from __future__ import annotations

import contextlib
import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import database
from ..api.problems import problem
from ..extensions import db
from ..i18n import supported
from ..patient.active import SESSION_LANG
from . import csrf as csrf_policy
from .security import ControlCharacters, NotUtf8

log = logging.getLogger(__name__)


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _page_texts(code: int) -> tuple[str, str]:
    texts = {
        400: (
            _("Something in the request was not right"),
            _("Please go back and try again. Your saved answers have not changed."),
        ),
        403: (_("You cannot open this page"), _("This page is not available to you.")),
        404: (
            _("Page not found"),
            _(
                "If you typed the web address, check it is correct. Your saved answers have "
                "not changed."
            ),
        ),
        405: (
            _("That did not work"),
            _("This address does not accept that kind of request. Go back and try again."),
        ),
        413: (_("That was too much to send"), _("Please shorten what you typed and try again.")),
        429: (
            _("Too many tries"),
            _("For your security, please wait a minute before you try again."),
        ),
        503: (_("Sorry, the service is unavailable"), _("Please try again later.")),
    }
    return texts.get(
        code,
        (
            _("Sorry, there is a problem with the service"),
            _("Please try again later. Your saved answers have not changed."),
        ),
    )


def render_error(code: int):
    title, message = _page_texts(code)
    return render_template("errors/error.html", title=title, message=message), code


def handle_http(exc: HTTPException):
    code = exc.code or 500
    if exc.response is not None:  # a page of its own (a step's 429 keeps what was typed)
        return exc.response
    if _wants_problem():
        response = problem(code, exc.name, exc.description)
        # The headers the error carries (a 405's Allow, a 429's Retry-After) stay on it.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    return render_error(code)


def handle_bad_bytes(exc: ControlCharacters | NotUtf8):
    """Say what is wrong with what was sent, which a generic 400 (or the token mismatch a
    dropped form used to cause) does not."""
    if _wants_problem():
        return problem(400, exc.name, exc.description)
    if "lang" not in g:  # refused before the language was chosen: ask no database for it
        remembered = session.get(SESSION_LANG)
        g.lang = remembered if remembered in supported() else (
            request.accept_languages.best_match(supported()) or "en"
        )
    if isinstance(exc, NotUtf8):
        title = _("What was sent could not be read")
        message = _(
            "Your browser sent the form in a text encoding other than UTF-8, so nothing was "
            "saved. Go back, reload the page and send it again: your saved answers have not "
            "changed."
        )
    else:
        title = _("What was sent contains characters we cannot use")
        message = _(
            "The address or the form contains an invisible control character, so nothing was "
            "saved. Go back, remove it (for example by typing the text again instead of pasting "
            "it) and try again: your saved answers have not changed."
        )
    return render_template("errors/error.html", title=title, message=message), 400


def handle_csrf(exc: CSRFError | None):
    """A refused token: the view's own recovery (`web.csrf.on_refused`: the page again with what
    was sent, or a redirect with a notice), else a page saying nothing was changed."""
    if _wants_problem():
        return problem(400, "CSRF token missing or invalid")
    recover = csrf_policy.recovery_for(request.endpoint) if exc is not None else None
    if recover is not None:
        try:
            return recover(**(request.view_args or {}))
        except HTTPException as refused:  # e.g. the page does not exist (404)
            return handle_http(refused)
    title = _("We could not confirm that this came from you")
    message = _(
        "For your security, every form carries a check that did not match. Go back, reload "
        "the page and try again: your saved answers have not changed."
    )
    return render_template("errors/error.html", title=title, message=message), 400


def handle_unexpected(exc: Exception):
    # The type only: messages and tracebacks can quote answers.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.endpoint)
    if _wants_problem():
        return problem(500, "Internal error", "the error was logged without request data")
    try:
        return render_error(500)
    except Exception:  # the error page itself failed: plain text, still no details
        return "Internal error", 500


RETRY_AFTER_SECONDS = "5"


def _sent_answers(form) -> list[tuple[str, str]]:
    """(question, answer) for each answer in a posted step, in the person's words, so that the
    503 page shows what it keeps; read from the questionnaire in memory, never the database."""
    registry = current_app.extensions.get("questionnaires")
    if registry is None:
        return []
    lang = g.get("lang", "en")
    shown = []
    for name, value in form.items(multi=True):
        item = registry.current.items.get(name.replace("__", "."))
        if item is None or not value.strip():
            continue
        option = item.option(value)
        answer = option.label.get_text(lang) if option else value
        shown.append((item.text.get_text(lang), answer))
    return shown


def handle_database_fault(exc: Exception):
    """The database did not answer: a 503 that says nothing was lost, never a 500.

    What the person sent comes back in the page as a form to send again (the same fields, the
    form's token included, to the same address): nothing of it could be stored, and answers
    may not go into a cookie, so the page is the POST's own answer, as with a stale token."""
    if not database.is_fault(exc):
        return handle_unexpected(exc)
    log.warning("database unavailable: %s on %s %s", type(exc).__name__, request.method,
                request.endpoint)
    with contextlib.suppress(sa.exc.SQLAlchemyError):  # gone: the teardown ends the rest
        db.session.rollback()
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if _wants_problem():
        response = problem(503, "Service unavailable", "the database did not answer; try again")
        response.headers.update(headers)
        return response
    saving = request.method == "POST"
    if saving:
        title = _("We could not save that just now")
        message = _(
            "Your earlier answers are kept, and so is what you sent from this page: please "
            "try again."
        )
    else:
        title = _("We could not open this page just now")
        message = _("Your earlier answers are kept. Please try again in a moment.")
    query = request.query_string.decode("latin-1")
    try:
        page = render_template(
            "errors/unavailable.html",
            error_title=True,
            title=title,
            message=message,
            resend=list(request.form.items(multi=True)) if saving else None,
            sent=_sent_answers(request.form) if saving else [],
            again=request.script_root + request.path + (f"?{query}" if query else ""),
        )
    except Exception:  # the page needs what is broken (a framed clinic's row): plain words
        return "Service unavailable: please try again.", 503, headers
    return page, 503, headers


def render_overrun():
    """A summary took longer to render than its bound and was stopped: say so, and that nothing
    was lost, rather than letting the worker time out."""
    if _wants_problem():
        return problem(
            503, "Rendering took too long", "the summary was stopped before it was finished"
        )
    title = _("We could not make your summary just now")
    message = _(
        "Preparing the PDF took too long, so it was stopped. Your answers are kept: go back to "
        "your results and try again in a moment."
    )
    return render_template("errors/error.html", title=title, message=message), 503


def unavailable(reason: str):
    """The service cannot answer at all (e.g. broken questionnaire files): the reason goes to
    integrators, people get the translated page."""
    if _wants_problem():
        return problem(503, "Service unavailable", reason)
    try:
        return render_error(503)
    except Exception:  # the page itself needs what is broken: plain words, still no details
        return "Service unavailable", 503


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_fault)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_fault)
    app.register_error_handler(sa.exc.PendingRollbackError, handle_database_fault)
    app.register_error_handler(ControlCharacters, handle_bad_bytes)
    app.register_error_handler(NotUtf8, handle_bad_bytes)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
