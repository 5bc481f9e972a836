"""The clinic inbox `/clinic/`: the clinic's submissions, one opened as the clinician's
document, its PDF and FHIR downloads, the sign-off, and deleting (admins).

Every route finds submissions through the signed-in account's own clinic only: another
clinic's id (or a made-up one) is a 404, the same as one that never existed."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from ..clinics.service import get_clinic
from ..extensions import limiter
from ..i18n import supported
from ..staff.forms import DECISION_LABELS, ConfirmForm, ReviewForm
from ..staff.login import require_admin
from ..submissions import document, service
from ..submissions.service import SubmissionError
from ..web.errors import render_overrun

bp = Blueprint("inbox", __name__, url_prefix="/clinic")

FHIR_JSON = "application/fhir+json"
STATUS_LABELS = {"new": _l("not opened yet"), "opened": _l("opened"),
                 "reviewed": _l("signed off")}
RENDER_LIMIT = "30 per minute"


@bp.before_request
@login_required
def signed_in() -> None:
    """Every inbox route needs a signed-in staff member (Flask-Login redirects to sign-in)."""


def _open(submission_id: str, action: str) -> service.Opened:
    try:
        return service.open_submission(current_user.clinic_slug, submission_id,
                                       current_user.actor, action)
    except SubmissionError:
        abort(404)


def _lang() -> str:
    lang = str(get_locale() or "en")
    return lang if lang in supported() else "en"


def _document(opened: service.Opened):
    clinic = get_clinic(current_user.clinic_slug)
    return document.build(opened, _lang(), clinic.name if clinic else None,
                          clinic.country if clinic else None)


@bp.get("/")
def index() -> str:
    listed = service.list_for_clinic(current_user.clinic_slug)
    levels = current_app.extensions["questionnaires"].current.levels
    lang = _lang()
    return render_template(
        "inbox/index.html", listed=listed, reference=service.format_reference,
        outcome_labels={code: level.label.get_text(lang) for code, level in levels.items()},
        status_labels=STATUS_LABELS)


@bp.get("/submissions/<submission_id>")
def show(submission_id: str) -> str:
    opened = _open(submission_id, "view")
    form = ReviewForm()
    review = opened.review
    if review:
        form.decision.data = review["decision"]
        form.note.data = review["note"]
    return _page(opened, form, 200)


def _page(opened: service.Opened, form: ReviewForm, status: int):
    return render_template(
        "inbox/submission.html", opened=opened, doc=_document(opened), form=form,
        delete_form=ConfirmForm(), reference=service.format_reference(
            opened.submission.reference),
        decisions=DECISION_LABELS, errors=[(n, m) for n, ms in form.errors.items()
                                           for m in ms if n != "csrf_token"],
        csrf_failed="csrf_token" in form.errors,
    ), status


@bp.get("/submissions/<submission_id>/summary.pdf")
@limiter.limit(RENDER_LIMIT)
def pdf(submission_id: str) -> BaseResponse:
    opened = _open(submission_id, "download_pdf")
    built = _document(opened)
    try:
        data = document.pdf_bytes(built)
    except document.render_overrun():
        return render_overrun()
    name = f"tms-screening-{service.format_reference(opened.submission.reference)}-{built.lang}.pdf"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/submissions/<submission_id>/response.json")
def fhir(submission_id: str) -> BaseResponse:
    opened = _open(submission_id, "download_fhir")
    body = json.dumps(document.response_json(opened, _lang()), ensure_ascii=False, indent=2)
    name = f"tms-screening-{service.format_reference(opened.submission.reference)}.json"
    return Response(body, mimetype=FHIR_JSON, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/submissions/<submission_id>/review")
def review(submission_id: str) -> BaseResponse | tuple[str, int]:
    try:
        service.get(current_user.clinic_slug, submission_id)
    except SubmissionError:
        abort(404)
    form = ReviewForm()
    if not form.validate():
        return _page(_open(submission_id, "view"), form, 400)
    try:
        service.review(current_user.clinic_slug, submission_id, reviewer_id=current_user.id,
                       reviewer_name=current_user.name, decision=form.decision.data,
                       note=form.note.data or "", actor=current_user.actor)
    except SubmissionError as exc:
        if exc.code == "not_found":
            abort(404)
        form.note.errors = [str(exc.message)]
        return _page(_open(submission_id, "view"), form, 400)
    flash(_("Your sign-off is saved: it is printed in the PDF from now on."), "info")
    return redirect(url_for("inbox.show", submission_id=submission_id))


@bp.post("/submissions/<submission_id>/delete")
def delete(submission_id: str) -> BaseResponse:
    try:
        service.get(current_user.clinic_slug, submission_id)
    except SubmissionError:
        abort(404)
    require_admin(current_user)
    if not ConfirmForm().validate():
        abort(400)
    try:
        service.delete_now(current_user.clinic_slug, submission_id, current_user.actor)
    except SubmissionError:
        abort(404)
    flash(_("The submission has been deleted."), "info")
    return redirect(url_for("inbox.index"))
