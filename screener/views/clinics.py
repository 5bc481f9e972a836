"""Clinics: the deep link `/c/<slug>`, the staff share page with QR codes and the embed snippet,
and the framed entry that starts a cookieless screening inside a clinic's own page."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from .. import current, storage, wizard
from ..clinics import Clinic, get_clinic, qr_png, qr_svg
from ..extensions import limiter
from ..frame import BaseForm, Frame, current_frame

bp = Blueprint("clinics", __name__, url_prefix="/c/<slug>")


class PlainForm(BaseForm):
    """Only the CSRF token."""


@bp.url_value_preprocessor
def _clinic(endpoint: str | None, values: dict | None) -> None:
    slug = (values or {}).pop("slug", "")
    clinic = get_clinic(slug)
    if clinic is None:
        g.unknown_clinic = slug
        return
    g.clinic = clinic
    g.frame_ancestors = clinic.embed_origins or None


@bp.url_defaults
def _slug(endpoint: str, values: dict) -> None:
    clinic = g.get("clinic")
    if clinic is not None:
        values.setdefault("slug", clinic.slug)


@bp.before_request
def _known() -> tuple[str, int] | None:
    if g.get("clinic") is None:
        return render_template("clinics/not_found.html"), 404
    return None


def _clinic_now() -> Clinic:
    return g.clinic


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for links, QR codes and snippets; PUBLIC_BASE_URL wins behind a proxy."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.get("")
def start() -> str:
    """The clinic's own start page: the same screening, addressed to this clinic."""
    record = current.screening()
    q = current.questionnaire_for(record)
    same_clinic = record is not None and record.clinic_slug == _clinic_now().slug
    return render_template(
        "screening/start.html",
        q=q,
        record=record if same_clinic else None,
        continue_to=wizard.first_unfinished(q, record.answers) if same_clinic else None,
        form=PlainForm(),
        steps=len(q.sections),
        begin_url=url_for("clinics.begin"),
        resume_url=url_for("screening.resume"),
    )


@bp.post("/start")
def begin() -> BaseResponse:
    if not PlainForm().validate():
        return redirect(url_for("clinics.start"))
    record = current.start(clinic_slug=_clinic_now().slug)
    q = current.questionnaire_for(record)
    return redirect(url_for("screening.step", section_id=q.sections[0].id))


@bp.get("/embed")
def embed() -> str:
    """The framed start page; what the clinic's <iframe> points at."""
    g.frame = Frame(_clinic_now().slug, None)
    q = current.questionnaire_for(None)
    return render_template(
        "screening/start.html",
        q=q,
        record=None,
        continue_to=None,
        form=PlainForm(),
        steps=len(q.sections),
        begin_url=url_for("clinics.embed_begin"),
        resume_url=url_for("clinics.embed_resume"),
        notice=request.args.get("m"),
    )


@bp.post("/embed/start")
def embed_begin() -> BaseResponse:
    clinic = _clinic_now()
    g.frame = Frame(clinic.slug, None)
    if not PlainForm().validate():
        return redirect(url_for("clinics.embed", m="expired"))
    created = storage.create(
        current.registry().current.version,
        g.get("lang", "en"),
        current_app.config["RETENTION"],
        current_app.config["SECRET_KEY"],
        clinic_slug=clinic.slug,
    )
    q = current.registry().current
    g.frame = Frame(clinic.slug, created.screening.id)
    return redirect(url_for("framed.step", section_id=q.sections[0].id))


@bp.post("/embed/resume")
@limiter.limit("10 per minute;60 per hour")
def embed_resume() -> BaseResponse | tuple[str, int]:
    clinic = _clinic_now()
    g.frame = Frame(clinic.slug, None)
    form = PlainForm()
    code = request.form.get("code", "")[:64]
    record = None
    if form.validate() and storage.normalise_resume_code(code):
        record = storage.find_by_resume_code(code, current_app.config["SECRET_KEY"])
    if record is None:
        error = _("We could not find answers for that code. Check it and try again.")
        return render_template("screening/resume.html", form=form, error=error, error_title=True,
                               resume_url=url_for("clinics.embed_resume")), 400
    if record.clinic_slug != clinic.slug:
        storage.update(record, clinic_slug=clinic.slug)
    q = current.questionnaire_for(record)
    g.frame = Frame(clinic.slug, record.id)
    step = wizard.first_unfinished(q, record.answers)
    if step == wizard.CHECK:
        return redirect(url_for("framed.check"))
    return redirect(url_for("framed.step", section_id=step))


@bp.get("/share")
def share() -> str:
    """For the clinic's staff: the link, QR codes, a poster and the embed snippet."""
    clinic = _clinic_now()
    link = public_url("clinics.start")
    return render_template(
        "clinics/share.html",
        clinic=clinic,
        link=link,
        link_bg=public_url("clinics.start", lang="bg"),
        embed_src=public_url("clinics.embed", lang=clinic.language),
        script_src=public_url("static", filename="embed.js"),
    )


@bp.get("/poster")
def poster() -> str:
    clinic = _clinic_now()
    return render_template("clinics/poster.html", clinic=clinic,
                           link=public_url("clinics.start"))


@bp.get("/qr.svg")
def qr_code_svg() -> Response:
    lang = request.args.get("lang")
    target = public_url("clinics.start", **({"lang": lang} if lang in ("en", "bg") else {}))
    return Response(qr_svg(target), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/qr.png")
def qr_code_png() -> Response:
    lang = request.args.get("lang")
    target = public_url("clinics.start", **({"lang": lang} if lang in ("en", "bg") else {}))
    response = Response(qr_png(target), mimetype="image/png")
    if request.args.get("download"):
        name = f"qr-{_clinic_now().slug}.png"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def init_framed(app) -> None:
    """Frame requests: find the clinic, allow only its origins to frame, check the screening
    belongs to it."""

    @app.before_request
    def _framed_clinic():
        frame = current_frame()
        if frame is None or not frame.token:
            return None
        clinic = get_clinic(frame.slug)
        if clinic is None:
            abort(404)
        g.clinic = clinic
        g.frame_ancestors = clinic.embed_origins or None
        return None
