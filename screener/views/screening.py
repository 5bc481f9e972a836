"""The patient's path: start, one page per section, check answers, results, crisis help,
save-and-resume and delete. Views parse, call the wizard or storage, and render."""

from __future__ import annotations

import hashlib

from babel.numbers import format_decimal
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

from ..clinics.frame import BaseForm, current_frame, entry_link, framed_resume_code, link, notice
from ..clinics.service import get_clinic
from ..documents import answer_rows as summary
from ..engine import wizard
from ..engine.rules import evaluate
from ..extensions import limiter
from ..i18n import browser_country, country_of
from ..patient import active as current
from ..patient import resuming, storage
from ..patient.crisis import crisis_lines
from ..questionnaire.forms import build_form_class, field_name, initial_data, posted_answers
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


class PlainForm(BaseForm):
    """A form with only its CSRF token: start, delete, check-answers confirmation."""


def _error_messages(q, errors) -> dict[str, str]:
    messages = {
        wizard.REQUIRED: _("Select an answer"),
        wizard.REQUIRED_MANY: _("Select at least one answer"),
        wizard.UNKNOWN_CODE: _("Select one of the answers shown"),
        wizard.TOO_MANY: _("Select only one answer"),
    }
    out = {}
    for error in errors:
        item = q.items.get(error.link_id)
        if item is None or error.code not in messages and error.code != wizard.TOO_LONG:
            continue
        if error.code == wizard.TOO_LONG:
            out[error.link_id] = _(
                "Use %(max)s characters or fewer", max=format_decimal(error.limit, locale=g.lang)
            )
        elif error.code == wizard.REQUIRED and item.type == "text":
            out[error.link_id] = _("Enter an answer")
        elif error.code == wizard.REQUIRED and item.codes == {"yes", "no", "unsure"}:
            out[error.link_id] = _("Select yes, no or not sure")
        else:
            out[error.link_id] = messages[error.code]
    return out


def _gone() -> Response:
    return redirect(entry_link(**notice("gone")))


@bp.get("/")
def start() -> Response | str:
    record = current.screening()
    frame = current_frame()
    if frame is not None and record is None:  # a deleted or expired framed screening
        return _gone()
    q = current.questionnaire_for(record)
    return render_template(
        "screening/start.html",
        q=q,
        record=record,
        continue_to=wizard.first_unfinished(q, record.answers) if record else None,
        form=PlainForm(),
        steps=len(q.sections),
    )


@bp.get("/start")
def begin_page() -> Response:
    """An address typed or bookmarked by hand: the start page has the Start button."""
    return redirect(link("screening.start"))


@bp.post("/start")
@limiter.limit("30 per minute;300 per hour")
def begin() -> Response:
    frame = current_frame()
    if frame is not None:  # a new screening inside a frame starts from the clinic's entry
        return redirect(url_for("clinics.embed", slug=frame.slug))
    form = PlainForm()
    if not form.validate():
        return redirect(link("screening.start", **notice("expired")))
    previous = current.screening()
    if previous is not None:  # "Start again" means the old answers go, not linger
        storage.delete(previous)
    record = current.start()
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


def _too_many_steps(_limit: object) -> Response | None:
    """Over the limit, the page comes back with what was just typed, like a token mismatch:
    nothing is stored, nothing typed is lost."""
    record = current.screening()
    if record is None:
        return None
    q = current.questionnaire_for(record)
    page = wizard.section(q, (request.view_args or {}).get("section_id", ""))
    if page is None:
        return None
    message = _(
        "You have sent this page many times in a short while, so nothing was saved this time. "
        "Your answers are still here: wait a minute, then press Continue again."
    )
    posted = posted_answers(request.form, page)
    returning = request.values.get("return") == "check"
    return make_response(_sent_again(q, page, record, posted, message, returning), 429)


def _sent_again(q, page, record, posted, message: str, returning: bool) -> str:
    """The page as it was sent, with one error at the top; nothing is stored."""
    form = build_form_class(q, page, g.lang)()
    enabled = wizard.enabled_items(q, {**record.answers, **posted})
    return _render_step(q, page, form, enabled, {"csrf_token": message}, [], returning)


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
@limiter.limit(_step_limit, key_func=_screening_key, methods=["POST"], on_breach=_too_many_steps)
def step(section_id: str) -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    page = wizard.section(q, section_id)
    if page is None:
        abort(404)
    form_class = build_form_class(q, page, g.lang)
    returning = request.values.get("return") == "check"
    if request.method in SAFE_METHODS:
        shown = wizard.PageState.restore(storage.take_pending(record, page.id))
        answers = shown.answers_over(record.answers)
        form = form_class(data=initial_data(page, answers))
        enabled = wizard.enabled_items(q, answers)
        errors = _error_messages(q, shown.errors)
        lines = crisis_lines(_country(record))
        crisis = lines if wizard.urgent_on_page(q, answers, page) else None
        return _render_step(
            q, page, form, enabled, errors, shown.revealed, returning, crisis, standby=lines
        )

    posted = posted_answers(request.form, page)
    if not PlainForm().validate():  # the page's fields check nothing: the wizard judges them
        # Without a valid token nothing may be stored; the page comes back with what was sent.
        message = _(
            "We could not confirm this page came from you, so nothing was saved yet. Your "
            "answers are still here: check them and press Continue again."
        )
        return _sent_again(q, page, record, posted, message, returning), 400
    result = wizard.submit_step(
        q, record.answers, page, posted, seen_in_place=request.form.get("_js") == "1"
    )
    saving = request.form.get("action") == "save"  # what is valid is stored; gaps can wait
    stay = result.stay and not saving
    storage.save_answers(
        record,
        result.answers,
        current_app.config["RETENTION"],
        pending=wizard.PageState.of(page, result).dump() if stay else None,
        furthest_step=wizard.position(q, page.id),
    )
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
def check() -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    form = PlainForm()
    missing = wizard.first_unfinished(q, record.answers)
    if request.method == "POST":
        if not form.validate():
            return redirect(link("screening.check", **notice("confirm-again")))
        if missing != wizard.CHECK:
            return redirect(link("screening.step", section_id=missing, **notice("missing")))
        storage.update(record, completed_at=storage.utcnow())
        return redirect(link("screening.results"))
    return render_template(
        "screening/check.html",
        q=q,
        sections=summary.build(q, record.answers, g.lang),
        form=form,
        missing=None if missing == wizard.CHECK else missing,
        crisis=_crisis_if_urgent(q, record),
        resume_code=current.resume_code(),
    )


@bp.get("/results")
def results() -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    if not wizard.confirmed(q, record.answers, record.completed_at):
        return redirect(link("screening.check", **notice("confirm")))
    evaluation = evaluate(q, record.answers, complete=True)
    return render_template(
        "screening/results.html",
        q=q,
        record=record,
        evaluation=evaluation,
        crisis=crisis_lines(_country(record)),
        form=PlainForm(),
        clinic=get_clinic(record.clinic_slug) if record.clinic_slug else None,
        resume_code=current.resume_code(),
    )


def _country(record) -> str | None:
    place = record.place or {}
    if place.get("country"):
        return place["country"]
    clinic = get_clinic(record.clinic_slug) if record.clinic_slug else None
    if clinic is not None:
        return clinic.country
    return browser_country() or country_of(record.language)


def _crisis_if_urgent(q, record):
    """Crisis help goes first on the page after an urgent answer, at the same address as for
    everyone else: a separate page would write the answer into every access log."""
    return crisis_lines(_country(record)) if wizard.urgent(q, record.answers) else None


@bp.get("/support")
def support() -> Response | str:
    """Help now, for anyone: linked from every page, so that opening it says nothing about
    anybody's answers."""
    record = current.screening()
    return render_template(
        "screening/support.html",
        crisis=crisis_lines(_country(record) if record else browser_country()),
        record=record,
    )


@bp.get("/saved")
def saved() -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    code = current.resume_code()
    if code is None and current_frame() is not None:
        code = framed_resume_code(record)  # the same on a reload or Back
    return render_template(
        "screening/saved.html",
        resume_code=code,
        expires_at=storage.aware(record.expires_at),
        continue_url=_step_url(wizard.first_unfinished(q, record.answers)),
        crisis=_crisis_if_urgent(q, record),
    )


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
def resume() -> Response | tuple[str, int]:
    frame = current_frame()
    if frame is not None:
        return redirect(url_for("clinics.embed", slug=frame.slug))
    form = PlainForm()
    if request.method in SAFE_METHODS:
        error = resuming.message(request.args.get("error"), retention_hours())
        typed = session.pop(TYPED_CODE, "") if error else ""
        return render_template(
            "screening/resume.html", form=form, error=error, error_title=bool(error),
            typed=typed,
        ), (400 if error else 200)
    typed = request.form.get("code", "")[:64]
    if not form.validate():
        return redirect(link("screening.resume", error=resuming.TOKEN))
    found = resuming.find(typed, current_app.config["SECRET_KEY"])
    if found.screening is None:
        session[TYPED_CODE] = typed  # shown once more to correct, never in the address
        return redirect(link("screening.resume", error=found.problem))
    current.adopt(found.screening, found.code)
    q = current.questionnaire_for(found.screening)
    return redirect(_step_url(wizard.first_unfinished(q, found.screening.answers)))


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
        return _gone()
    return render_template(
        "screening/delete.html",
        form=PlainForm(),
        back=_own_page(request.args.get("back")),
        completed=record.completed_at is not None,
    )


@bp.post("/delete")
def delete() -> Response:
    form = PlainForm()
    if not form.validate():
        return redirect(link("screening.start", **notice("delete-again")))
    record = current.screening()
    if record is not None:
        storage.delete(record)
    current.forget()
    return redirect(link("screening.deleted"))


@bp.get("/deleted")
def deleted() -> str:
    return render_template("screening/deleted.html")
