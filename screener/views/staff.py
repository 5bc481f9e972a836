"""Staff pages outside the inbox itself: enrolment, sign-in, sign-out and the audit log.

Every page here lives under /clinic/ (the staff cookie), is never framable (the default
frame-ancestors 'none'), and every form carries Flask-WTF's CSRF token."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import audit
from ..clinics.service import get_clinic
from ..extensions import db, limiter
from ..i18n import supported
from ..staff import accounts, totp
from ..staff import session as staff_session
from ..staff.forms import ConfirmForm, EnrolForm, SignInForm
from ..staff.login import require_admin

bp = Blueprint("staff", __name__, url_prefix="/clinic")

SIGN_IN_PER_ADDRESS = "20 per 10 minutes"
SIGN_IN_PER_ACCOUNT = "10 per 10 minutes"
"""Flask-Limiter bounds on sign-in POSTs, beside the account's own lock after 5 failures."""
LANG = "lang"


def _account_key() -> str:
    return "staff-account:" + accounts.normalise_email(request.form.get("email", ""))[:254]


@bp.before_app_request
def staff_language() -> None:
    """Staff pages keep their language in the staff cookie (a ?lang= switches it)."""
    if not staff_session.staff_path(request.path):
        return
    asked = request.args.get("lang")
    if asked in supported():
        session[LANG] = asked
    if session.get(LANG) in supported():
        g.lang = session[LANG]


@bp.app_context_processor
def staff_context() -> dict:
    if not staff_session.staff_path(request.path):
        return {}
    user = current_user if current_user.is_authenticated else None
    clinic = get_clinic(user.clinic_slug) if user else None
    # formdata=None: the form only renders a token here, and must never read the request
    # body (an error page for a body over the size limit renders this too)
    return {"staff_user": user, "staff_clinic": clinic,
            "sign_out_form": ConfirmForm(formdata=None)}


def _errors(form) -> list[tuple[str, str]]:
    return [(name, message) for name, messages in form.errors.items() if name != "csrf_token"
            for message in messages]


@bp.route("/enrol/<token>", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
def enrol(token: str) -> Response | tuple[str, int] | str:
    try:
        user = accounts.invitation(token)
    except accounts.AccountError:
        abort(404)
    form = EnrolForm()
    secret = accounts.pending_secret(user)
    uri = totp.provisioning_uri(secret, user.email)
    problem = None
    if request.method == "POST":
        if form.validate():
            try:
                codes = accounts.enrol(token, name=form.name.data, password=form.password.data,
                                       confirm=form.confirm.data, code=form.code.data)
            except accounts.AccountError as exc:
                problem = (exc.code, exc.message)
            else:
                return render_template("staff/enrolled.html", codes=codes, user=user)
        status = 400
    else:
        status = 200
    errors = _errors(form) + ([(_field_for(problem[0]), str(problem[1]))] if problem else [])
    return render_template("staff/enrol.html", form=form, user=user, secret=secret,
                           qr=totp.qr_svg(uri), errors=errors,
                           csrf_failed="csrf_token" in form.errors), status


def _field_for(code: str) -> str:
    if code.startswith("password"):
        return "confirm" if code == "password_mismatch" else "password"
    return {"code_wrong": "code", "name_missing": "name", "name_long": "name"}.get(code, "name")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@limiter.limit(SIGN_IN_PER_ACCOUNT, methods=["POST"], key_func=_account_key)
def sign_in() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = SignInForm()
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.validate():
            try:
                user = accounts.sign_in(form.email.data, form.password.data, form.code.data)
            except accounts.AccountError as exc:
                errors = [("email", str(exc.message))]
            else:
                lang = session.get(LANG)
                staff_session.begin()
                if lang:
                    session[LANG] = lang
                login_user(user)
                return redirect(url_for("inbox.index"))
        errors = _errors(form) + errors
        return render_template("staff/sign_in.html", form=form, errors=errors,
                               csrf_failed="csrf_token" in form.errors), 400
    return render_template("staff/sign_in.html", form=form, errors=errors,
                           csrf_failed=False), 200


@bp.post("/sign-out")
@login_required
def sign_out() -> Response | tuple[str, int]:
    if not ConfirmForm().validate():
        abort(400)
    audit.record("sign_out", current_user.clinic_slug, current_user.actor)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("staff.sign_in"))


@bp.get("/audit")
@login_required
def audit_log() -> str:
    require_admin(current_user)
    entries = audit.for_clinic(current_user.clinic_slug)
    return render_template("staff/audit.html", entries=entries, utc=UTC)
