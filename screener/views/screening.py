"""The patient's path: start, one page per section, check answers, results, crisis help,
save-and-resume and delete. Views parse, call the wizard or storage, and render."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import current, storage, summary, wizard
from ..clinics import get_clinic
from ..crisis import crisis_lines
from ..extensions import limiter
from ..frame import BaseForm, current_frame, link
from ..questionnaire.forms import build_form_class, field_name, initial_data, posted_answers
from ..rules import evaluate

bp = Blueprint("screening", __name__)


API_PREFIX = "/api/"


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
        item = q.items[error.link_id]
        if error.code == wizard.TOO_LONG:
            out[error.link_id] = _("Keep this under %(max)d characters", max=error.limit)
        elif error.code == wizard.REQUIRED and item.type == "text":
            out[error.link_id] = _("Enter an answer")
        elif error.code == wizard.REQUIRED and item.codes == {"yes", "no", "unsure"}:
            out[error.link_id] = _("Select yes, no or not sure")
        else:
            out[error.link_id] = messages[error.code]
    return out


def _gone() -> Response:
    frame = current_frame()
    if frame is not None:
        return redirect(url_for("clinics.embed", slug=frame.slug, m="gone"))
    flash(
        _(
            "Your answers are no longer stored: they were deleted or have expired. "
            "You can start again."
        ),
        "info",
    )
    return redirect(link("screening.start"))


@bp.get("/")
def start() -> Response | str:
    record = current.screening()
    frame = current_frame()
    if frame is not None and record is None:  # a deleted or expired framed screening
        return redirect(url_for("clinics.embed", slug=frame.slug, m="gone"))
    q = current.questionnaire_for(record)
    return render_template(
        "screening/start.html",
        q=q,
        record=record,
        continue_to=wizard.first_unfinished(q, record.answers) if record else None,
        form=PlainForm(),
        steps=len(q.sections),
    )


@bp.post("/start")
def begin() -> Response:
    frame = current_frame()
    if frame is not None:  # a new screening inside a frame starts from the clinic's entry
        return redirect(url_for("clinics.embed", slug=frame.slug))
    form = PlainForm()
    if not form.validate():
        flash(_("That took too long, so we could not start. Please press Start again."), "error")
        return redirect(link("screening.start"))
    record = current.start()
    q = current.questionnaire_for(record)
    return redirect(link("screening.step", section_id=q.sections[0].id))


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
def step(section_id: str) -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    page = wizard.section(q, section_id)
    if page is None:
        abort(404)
    lang = g.lang
    form_class = build_form_class(q, page, lang)
    returning = request.values.get("return") == "check"
    if request.method == "GET":
        form = form_class(data=initial_data(page, record.answers))
        enabled = wizard.enabled_items(q, record.answers)
        return _render_step(q, page, form, enabled, {}, [], returning)

    form = form_class()
    fresh = form.validate()
    posted = posted_answers(request.form, page)
    result = wizard.submit_step(
        q, record.answers, page, posted, seen_in_place=request.form.get("_js") == "1"
    )
    if not fresh:
        errors = {
            "csrf_token": _(
                "This page timed out for your security. Your answers are "
                "still here: check them and press Continue again."
            )
        }
        enabled = wizard.enabled_items(q, {**record.answers, **posted})
        return _render_step(q, page, form, enabled, errors, [], returning), 400
    storage.save_answers(record, result.answers, current_app.config["RETENTION"])
    position = wizard.position(q, page.id)
    if position > record.furthest_step:
        storage.update(record, furthest_step=position)
    urgent = wizard.urgent_on_page(q, result.answers, page)
    if request.form.get("action") == "save":  # what is valid is stored; gaps can wait
        if urgent:  # crisis help comes first, whatever the button
            return redirect(link("screening.support", next="saved"))
        return redirect(link("screening.saved"))
    if result.stay:
        enabled = wizard.enabled_items(q, result.answers)
        errors = _error_messages(q, result.errors)
        status = 400 if errors else 200
        return _render_step(q, page, form, enabled, errors, result.revealed, returning), status
    following = wizard.CHECK if returning else wizard.next_step(q, page.id)
    if urgent:
        return redirect(link("screening.support", next=following))
    return redirect(_step_url(following))


def _step_url(step_id: str) -> str:
    if step_id == wizard.CHECK:
        return link("screening.check")
    return link("screening.step", section_id=step_id)


def _render_step(q, page, form, enabled, errors, revealed, returning) -> str:
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
            flash(_("This page timed out for your security. Please confirm again."), "error")
            return redirect(link("screening.check"))
        if missing != wizard.CHECK:
            flash(_("Some questions still need an answer."), "error")
            return redirect(link("screening.step", section_id=missing))
        storage.update(record, completed_at=storage.utcnow())
        return redirect(link("screening.results"))
    return render_template(
        "screening/check.html",
        q=q,
        sections=summary.build(q, record.answers, g.lang),
        form=form,
        missing=None if missing == wizard.CHECK else missing,
    )


@bp.get("/results")
def results() -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    if record.completed_at is None:
        return redirect(link("screening.check"))
    evaluation = evaluate(q, record.answers, complete=True)
    return render_template(
        "screening/results.html",
        q=q,
        record=record,
        evaluation=evaluation,
        crisis=crisis_lines(_country(record)),
        form=PlainForm(),
        clinic=get_clinic(record.clinic_slug) if record.clinic_slug else None,
    )


def _country(record) -> str | None:
    place = record.place or {}
    if place.get("country"):
        return place["country"]
    clinic = get_clinic(record.clinic_slug) if record.clinic_slug else None
    if clinic is not None:
        return clinic.country
    return "BG" if record.language == "bg" else None


@bp.get("/support")
def support() -> Response | str:
    record = current.screening()
    following = request.args.get("next", "")
    q = current.questionnaire_for(record)
    valid = {s.id for s in q.sections} | {wizard.CHECK}
    if record and following == "saved":
        next_url = link("screening.saved")
    else:
        next_url = _step_url(following) if (record and following in valid) else None
    return render_template(
        "screening/support.html",
        crisis=crisis_lines(_country(record) if record else None),
        next_url=next_url,
    )


@bp.get("/saved")
def saved() -> Response | str:
    record = current.screening()
    if record is None:
        return _gone()
    q = current.questionnaire_for(record)
    code = current.resume_code()
    if code is None and current_frame() is not None:
        # No cookie in a frame to remember the first code: issue a fresh one (the old one stops
        # working) so that the patient can come back through the clinic's page.
        code = storage.format_resume_code(
            storage.rotate_resume_code(record, current_app.config["SECRET_KEY"])
        )
    return render_template(
        "screening/saved.html",
        resume_code=code,
        expires_at=storage.aware(record.expires_at),
        continue_url=_step_url(wizard.first_unfinished(q, record.answers)),
    )


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
def resume() -> Response | str:
    frame = current_frame()
    if frame is not None:
        return redirect(url_for("clinics.embed", slug=frame.slug))
    form = PlainForm()
    error = None
    if request.method == "POST":
        code = request.form.get("code", "")[:64]
        if not form.validate():
            error = _("This page timed out for your security. Please enter the code again.")
        elif not storage.normalise_resume_code(code):
            error = _("Enter your resume code")
        else:
            record = storage.find_by_resume_code(code, current_app.config["SECRET_KEY"])
            if record is None:
                error = _(
                    "We could not find answers for that code. Check it and try again: "
                    "answers are deleted %(hours)d hours after the last change.",
                    hours=_retention_hours(),
                )
            else:
                current.adopt(record, storage.normalise_resume_code(code))
                q = current.questionnaire_for(record)
                return redirect(_step_url(wizard.first_unfinished(q, record.answers)))
    status = 400 if error else 200
    return render_template(
        "screening/resume.html", form=form, error=error, error_title=bool(error)
    ), status


def _retention_hours() -> int:
    return int(current_app.config["RETENTION"].total_seconds() // 3600)


@bp.post("/delete")
def delete() -> Response:
    form = PlainForm()
    if not form.validate():
        flash(_("This page timed out for your security. Press the delete button again."), "error")
        return redirect(link("screening.start"))
    record = current.screening()
    if record is not None:
        storage.delete(record)
    current.forget()
    return redirect(link("screening.deleted"))


@bp.get("/deleted")
def deleted() -> str:
    return render_template("screening/deleted.html")
