"""The patient's path: start, one page per section, check answers, results, crisis help,
save-and-resume and delete. Views parse, call one operation of the patient-path service
(patient/screenings.py, through patient/active.py, which names the screening), and render.

The same views serve a clinic's frame (registered again as `framed`): `link()` builds the URLs
of whichever path the request is on."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from ..clinics.framed_resume import framed_resume_code
from ..clinics.framed_urls import current_frame, entry_link, link
from ..clinics.notices import notice
from ..clinics.service import get_clinic
from ..documents import answer_rows as summary
from ..engine import wizard
from ..engine.rules import evaluate
from ..extensions import limiter
from ..i18n import browser_country
from ..patient import active as current
from ..patient import screenings
from ..patient.country import country_of
from ..patient.crisis import crisis_lines
from ..patient.screenings import ScreeningError
from ..questionnaire.answer_fields import field_name, page_fields, posted_answers
from ..web.csrf import on_refused
from ..web.fragments import question_html
from ..web.security import SAFE_METHODS
from ..web.templating import retention_hours

bp = Blueprint("screening", __name__)


API_PREFIX = "/api/"
TYPED_CODE = "typed_code"


@bp.before_app_request
def _before() -> None:
    """Pages only: the JSON API stores nothing and picks its language per request."""
    if request.path.startswith(API_PREFIX):
        return
    current.purge_now_and_then()
    current.choose_language()


def gone() -> Response:
    """The screening this page names is gone (deleted, expired): back to the start, saying so."""
    return redirect(entry_link(**notice("gone")))


@bp.get("/")
def start() -> Response | str:
    record = current.screening()
    frame = current_frame()
    if frame is not None and record is None:  # a deleted or expired framed screening
        return gone()
    return start_page(record)


def start_page(record, begin_url: str | None = None, resume_url: str | None = None) -> str:
    """The start page with Start and Resume, and Continue for `record` if there is one: the
    site's, a clinic's (`begin_url`, `resume_url` its own forms), and a clinic's framed entry."""
    q = current.questionnaire_for(record)
    return render_template(
        "screening/start.html",
        q=q,
        record=record,
        continue_to=wizard.first_unfinished(q, record.answers) if record else None,
        steps=len(q.sections),
        begin_url=begin_url,
        resume_url=resume_url,
    )


@bp.get("/start")
def begin_page() -> Response:
    """An address typed or bookmarked by hand: the start page has the Start button."""
    return redirect(link("screening.start"))


@bp.post("/start")
@limiter.limit("30 per minute;300 per hour")
@on_refused(lambda: redirect(link("screening.start", **notice("expired"))))
def begin() -> Response:
    frame = current_frame()
    if frame is not None:  # a new screening inside a frame starts from the clinic's entry
        return redirect(url_for("clinics.embed", slug=frame.slug))
    record = current.start()  # "Start again": the old answers go, in the same commit
    q = current.questionnaire_for(record)
    return redirect(link("screening.step", section_id=q.sections[0].id))


STEP_LIMIT = "60 per minute;600 per hour"
"""Step submits per screening: a patient sends each of the eight pages a few times at most, so
only a script reaches this; the page then comes back with what was typed (`_too_many_steps`).
App config `STEP_RATE_LIMIT` overrides it (bench/steps.py posts one page flat out)."""


def _step_limit() -> str:
    return current_app.config.get("STEP_RATE_LIMIT", STEP_LIMIT)


def _screening_key() -> str:
    """The rate-limit key of a step submit: the screening (hashed: the id is a bearer
    credential and must not sit in the limiter's storage), else the address."""
    frame = current_frame()
    screening_id = frame.token if frame is not None else session.get(current.SESSION_ID)
    if not screening_id:
        return "address:" + get_remote_address()
    return "screening:" + hashlib.sha256(screening_id.encode()).hexdigest()[:32]


def _page_as_sent(section_id: str, message: str, status: int) -> Response | None:
    """The page as it was sent, with `message` at the top: nothing is stored, nothing typed is
    lost. None when the screening or the page is gone."""
    record = current.screening()
    if record is None:
        return None
    q = current.questionnaire_for(record)
    page = wizard.section(q, section_id)
    if page is None:
        return None
    posted = posted_answers(request.form, page)
    returning = request.values.get("return") == "check"
    return make_response(_sent_again(q, page, record, posted, message, returning), status)


def _too_many_steps(_limit: object) -> Response | None:
    """Over the limit, the page comes back with what was just typed, like a token mismatch."""
    message = _(
        "You have sent this page many times in a short while, so nothing was saved this time. "
        "Your answers are still here: wait a minute, then press Continue again."
    )
    return _page_as_sent((request.view_args or {}).get("section_id", ""), message, 429)


def _sent_again(q, page, record, posted, message: str, returning: bool) -> str:
    """The page as it was sent, with one error at the top; nothing is stored."""
    form = page_fields(page, posted)
    enabled = wizard.enabled_items(q, {**record.answers, **posted})
    return _render_step(q, page, form, enabled, {"csrf_token": message}, [], returning)


def _step_refused(section_id: str) -> Response:
    """Without a valid token nothing may be stored; the page comes back with what was sent."""
    message = _(
        "We could not confirm this page came from you, so nothing was saved yet. Your "
        "answers are still here: check them and press Continue again."
    )
    shown = _page_as_sent(section_id, message, 400)
    if shown is not None:
        return shown
    if current.screening() is None:
        return gone()
    abort(404)


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
@limiter.limit(_step_limit, key_func=_screening_key, methods=["POST"], on_breach=_too_many_steps)
@on_refused(_step_refused)
def step(section_id: str) -> Response | str:
    record = current.screening()
    if record is None:
        return gone()
    q = current.questionnaire_for(record)
    page = wizard.section(q, section_id)
    if page is None:
        abort(404)
    returning = request.values.get("return") == "check"
    if request.method in SAFE_METHODS:
        shown = screenings.shown_state(record, page)
        answers = shown.answers_over(record.answers)
        form = page_fields(page, answers)
        enabled = wizard.enabled_items(q, answers)
        errors = screenings.step_errors(q, shown.errors, g.lang)
        lines = crisis_lines(country_of(record))
        crisis = lines if wizard.urgent_on_page(q, answers, page) else None
        return _render_step(
            q, page, form, enabled, errors, shown.revealed, returning, crisis, standby=lines
        )

    posted = posted_answers(request.form, page)
    saving = request.form.get("action") == "save"  # what is valid is stored; gaps can wait
    result = screenings.submit_step(
        record, q, page, posted, current_app.config["RETENTION"],
        seen_in_place=request.form.get("_js") == "1", saving=saving,
    )
    stay = result.stay and not saving
    if saving:
        return redirect(link("screening.saved"))
    if stay:  # errors or newly shown questions: the same page again, through a GET
        return redirect(_step_url(page.id, returning))
    return redirect(_step_url(wizard.CHECK if returning else wizard.next_step(q, page.id)))


def _step_url(step_id: str, returning: bool = False) -> str:
    if step_id == wizard.CHECK:
        return link("screening.check")
    if returning:
        return link("screening.step", section_id=step_id, **{"return": "check"})
    return link("screening.step", section_id=step_id)


def _render_step(
    q, page, form, enabled, errors, revealed, returning, crisis=None, standby=None
) -> str:
    position = wizard.position(q, page.id)
    previous = wizard.previous_step(q, page.id)
    if returning:
        back = link("screening.check")
    elif previous:
        back = link("screening.step", section_id=previous)
    else:
        back = link("screening.start")
    items = [
        {
            "item": item,
            "field": form[field_name(item.link_id)],
            "enabled": enabled.get(item.link_id, False),
            "error": errors.get(item.link_id),
            "revealed": item.link_id in revealed,
            "client_rule": _client_rule(q, page, item),
        }
        for item in page.walk()
    ]
    for entry in items:
        entry["html"] = question_html(entry, (q.path, q.version), g.lang)
    return render_template(
        "screening/step.html",
        q=q,
        page=page,
        form=form,
        items=items,
        errors=errors,
        revealed=revealed,
        position=position,
        total=len(q.sections),
        back=back,
        returning=returning,
        resume_code=current.resume_code(),
        error_title=bool(errors),
        crisis=crisis,
        standby=standby,  # crisis help the page's script shows the moment an answer needs it
    )


def _client_rule(q, page, item) -> dict | None:
    """enableWhen for the page's script, when every question it depends on is on this page."""
    if not item.enable_when:
        return None
    on_page = {i.link_id for i in page.walk()}
    if any(c.question not in on_page for c in item.enable_when):
        return None
    return {
        "behavior": item.enable_behavior,
        "parent": field_name(item.parent) if item.parent else None,
        "conditions": [
            {
                "field": field_name(c.question),
                "operator": c.operator,
                "answer": list(c.answer) if isinstance(c.answer, tuple) else c.answer,
            }
            for c in item.enable_when
        ],
    }


@bp.route("/check", methods=["GET", "POST"])
@on_refused(lambda: redirect(link("screening.check", **notice("confirm-again"))))
def check() -> Response | str:
    record = current.screening()
    if record is None:
        return gone()
    q = current.questionnaire_for(record)
    missing = wizard.first_unfinished(q, record.answers)
    if request.method == "POST":
        try:
            screenings.confirm(record, q)
        except ScreeningError as exc:
            return redirect(link("screening.step", section_id=exc.step, **notice(exc.code)))
        return redirect(link("screening.results"))
    return render_template(
        "screening/check.html",
        q=q,
        sections=summary.build(q, record.answers, g.lang),
        missing=None if missing == wizard.CHECK else missing,
        crisis=_crisis_if_urgent(q, record),
        resume_code=current.resume_code(),
    )


@bp.get("/results")
def results() -> Response | str:
    record = current.screening()
    if record is None:
        return gone()
    q = current.questionnaire_for(record)
    if not wizard.confirmed(q, record.answers, record.completed_at):
        return redirect(link("screening.check", **notice("confirm")))
    evaluation = evaluate(q, record.answers, complete=True)
    return render_template(
        "screening/results.html",
        q=q,
        record=record,
        evaluation=evaluation,
        crisis=crisis_lines(country_of(record)),
        clinic=get_clinic(record.clinic_slug) if record.clinic_slug else None,
        resume_code=current.resume_code(),
    )


def _crisis_if_urgent(q, record):
    """Crisis help goes first on the page after an urgent answer, at the same address as for
    everyone else: a separate page would write the answer into every access log."""
    return crisis_lines(country_of(record)) if wizard.urgent(q, record.answers) else None


@bp.get("/support")
def support() -> Response | str:
    """Help now, for anyone: linked from every page, so that opening it says nothing about
    anybody's answers."""
    record = current.screening()
    return render_template(
        "screening/support.html",
        crisis=crisis_lines(country_of(record) if record else browser_country()),
        record=record,
    )


@bp.get("/saved")
def saved() -> Response | str:
    record = current.screening()
    if record is None:
        return gone()
    q = current.questionnaire_for(record)
    code = current.resume_code()
    if code is None and current_frame() is not None:
        code = framed_resume_code(record)  # the same on a reload or Back
    return render_template(
        "screening/saved.html",
        resume_code=code,
        expires_at=record.expires_at,
        continue_url=_step_url(wizard.first_unfinished(q, record.answers)),
        crisis=_crisis_if_urgent(q, record),
    )


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
@on_refused(lambda: redirect(link("screening.resume", error=screenings.TOKEN)))
def resume() -> Response | tuple[str, int]:
    frame = current_frame()
    if frame is not None:
        return redirect(url_for("clinics.embed", slug=frame.slug))
    if request.method in SAFE_METHODS:
        error = screenings.message_for(request.args.get("error"), retention_hours())
        typed = session.pop(TYPED_CODE, "") if error else ""
        return render_template(
            "screening/resume.html", error=error, error_title=bool(error),
            typed=typed,
        ), (400 if error else 200)
    typed = request.form.get("code", "")[:64]
    try:
        record = current.resume(typed)
    except ScreeningError as exc:
        session[TYPED_CODE] = typed  # shown once more to correct, never in the address
        return redirect(link("screening.resume", error=exc.code))
    return continue_where_left(record)


def continue_where_left(record, status: int = 302) -> Response:
    """After resuming, on the site or in a frame: the first page that still needs an answer."""
    q = current.questionnaire_for(record)
    return redirect(_step_url(wizard.first_unfinished(q, record.answers)), status)


BACK_MAX = 500


def _own_page(path: str | None) -> str:
    """Where "Keep my answers" leads: the page the patient came from, if it is one of ours
    (a path, never another site), else the start page."""
    if (
        path and len(path) <= BACK_MAX and path.startswith("/") and not path.startswith("//")
        and "\\" not in path and not any(ch.isspace() for ch in path)
        and not path.split("?")[0].endswith("/delete")
    ):
        return path
    return link("screening.start")


@bp.get("/delete")
def confirm_delete() -> Response | str:
    """GOV.UK's pattern for a destructive action: say what goes, then only this page's POST
    deletes, so that a stray tap on a link never loses anything."""
    record = current.screening()
    if record is None:
        return gone()
    return render_template(
        "screening/delete.html",
        back=_own_page(request.args.get("back")),
        completed=record.completed_at is not None,
    )


@bp.post("/delete")
@on_refused(lambda: redirect(link("screening.start", **notice("delete-again"))))
def delete() -> Response:
    record = current.screening()
    if record is not None:
        screenings.delete(record)
    current.forget()
    return redirect(link("screening.deleted"))


@bp.get("/deleted")
def deleted() -> str:
    return render_template("screening/deleted.html")
