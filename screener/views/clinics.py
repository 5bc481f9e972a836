"""Clinics: the deep link `/c/<slug>`, the staff share page with QR codes and the embed snippet,
and the framed entry that starts a cookieless screening inside a clinic's own page.

Only the framed entry (`/c/<slug>/embed…`) and the framed path (`/c/<slug>/f/<id>/…`) may be
framed, and only by the clinic's origins; the deep link, share page and poster show the site's
header and rely on a cookie, so they keep frame-ancestors 'none'."""

from __future__ import annotations

from urllib.parse import urlsplit

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

from ..clinics.frame_csrf import cross_site_post, opened_as_page
from ..clinics.framed_urls import current_frame, link
from ..clinics.notices import notice, template_context
from ..clinics.service import Clinic, embed_snippet, get_clinic, local_try_origin, qr_png, qr_svg
from ..extensions import limiter
from ..i18n import SUPPORTED, language, supported
from ..patient import active as current
from ..patient import screenings
from ..patient.screenings import ScreeningError
from ..web.csrf import on_refused
from ..web.security import SAFE_METHODS
from ..web.templating import retention_hours
from .screening import continue_where_left, start_page

bp = Blueprint("clinics", __name__, url_prefix="/c/<slug>")


@bp.url_value_preprocessor
def _clinic(endpoint: str | None, values: dict | None) -> None:
    slug = (values or {}).pop("slug", "")
    clinic = get_clinic(slug)
    if clinic is None:
        return
    g.clinic = clinic
    if current_frame() is not None:  # the framed entry only (see framed_urls.ENTRY_ENDPOINTS)
        g.frame_ancestors = clinic.embed_origins or None


@bp.url_defaults
def _slug(endpoint: str, values: dict) -> None:
    clinic = g.get("clinic")
    if clinic is not None:
        values.setdefault("slug", clinic.slug)


@bp.before_request
def _known() -> tuple[str, int] | BaseResponse | None:
    if g.get("clinic") is None:
        return render_template("clinics/not_found.html"), 404
    if current_frame() is not None:
        return refuse_unframed(g.clinic)
    return None


def refuse_unframed(clinic: Clinic) -> BaseResponse | None:
    """Framed URLs answer only framed requests from our own frame: a POST another site sent is
    refused (login CSRF with a fetched entry token), and a framed URL opened as a page of its
    own goes to the clinic's start page, without the screening's id."""
    if cross_site_post():
        abort(403)
    if opened_as_page():
        asked = request.args.get("lang")
        lang = asked if asked in supported() else clinic.language
        return redirect(url_for("clinics.start", slug=clinic.slug, lang=lang), 303)
    return None


def _clinic_now() -> Clinic:
    return g.clinic


_warned_no_base = [False]


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for links, QR codes and snippets; PUBLIC_BASE_URL wins behind a proxy.
    Without it the request's Host header names the site, so such pages are never cached (see
    `_cache_for`) and production logs a warning once."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    if current_app.config.get("SCREENER_ENV") == "production" and not _warned_no_base[0]:
        _warned_no_base[0] = True
        current_app.logger.warning(
            "PUBLIC_BASE_URL is not set: clinic links and QR codes use the request's Host header"
        )
    return url_for(endpoint, _external=True, **values)


def _cache_for(response: Response) -> Response:
    """QR codes may be cached only when their link does not come from the Host header: a
    spoofed Host must never be stored by a shared cache and served to others."""
    if current_app.config.get("PUBLIC_BASE_URL"):
        response.headers["Cache-Control"] = "public, max-age=3600"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def _begin(status: int) -> BaseResponse:
    """Start (again) for this clinic: named by the cookie on the site, by the frame's URL in
    a frame (patient/active.py); the old answers for this clinic go in the same commit."""
    record = current.start(clinic_slug=_clinic_now().slug)
    q = current.questionnaire_for(record)
    return redirect(link("screening.step", section_id=q.sections[0].id), status)


@bp.get("")
def start() -> str:
    """The clinic's own start page: the same screening, addressed to this clinic."""
    record = current.screening()
    same_clinic = record is not None and record.clinic_slug == _clinic_now().slug
    return start_page(
        record if same_clinic else None, url_for("clinics.begin"), url_for("screening.resume")
    )


@bp.post("/start")
@limiter.limit("30 per minute;300 per hour")
@on_refused(lambda: redirect(url_for("clinics.start", **notice("expired"))))
def begin() -> BaseResponse:
    return _begin(302)


@bp.get("/embed")
def embed() -> str:
    """The framed start page; what the clinic's <iframe> points at. Its two forms post with the
    page's `?lang=` (framed_urls.push_frame), since no cookie carries the language in a frame."""
    return start_page(None, url_for("clinics.embed_begin"), url_for("clinics.embed_resume"))


@bp.post("/embed/start")
@limiter.limit("30 per minute;300 per hour")
@on_refused(lambda: redirect(url_for("clinics.embed", **notice("expired")), 303))
def embed_begin() -> BaseResponse:
    """A new screening for this clinic, in the entry page's language."""
    return _begin(303)


@bp.route("/embed/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
@on_refused(lambda: redirect(url_for("clinics.embed_resume", error=screenings.TOKEN), 303))
def embed_resume() -> BaseResponse | tuple[str, int]:
    """Only this clinic's screenings resume in its frame (see screenings.resume). A wrong code
    comes back through a redirect, like every error of the path."""
    if request.method in SAFE_METHODS:
        problem = request.args.get("error")
        error = screenings.message_for(problem, retention_hours())
        if error is None:
            return redirect(url_for("clinics.embed"))
        elsewhere = None
        if problem == screenings.ELSEWHERE:
            elsewhere = url_for("screening.resume", lang=g.lang)
        return render_template(
            "screening/resume.html", error=error, elsewhere=elsewhere,
            error_title=True, back_url=url_for("clinics.embed"),
            action=url_for("clinics.embed_resume"),
        ), 400
    try:
        record = current.resume(request.form.get("code", ""), clinic_slug=_clinic_now().slug)
    except ScreeningError as exc:
        return redirect(url_for("clinics.embed_resume", error=exc.code), 303)
    return continue_where_left(record, 303)


@bp.get("/share")
def share() -> str:
    """For the clinic's staff: the link, QR codes, a poster and the embed snippet (in the
    clinic's language: the frame opens in it and its title says it)."""
    clinic = _clinic_now()
    with language(clinic.language):
        title = _("TMS safety screening") + " – " + clinic.name
    try_origin = local_try_origin(clinic)
    try_port = urlsplit(try_origin).port or 80 if try_origin else None
    return render_template(
        "clinics/share.html",
        clinic=clinic,
        link=public_url("clinics.start"),
        link_bg=public_url("clinics.start", lang="bg"),
        snippet=embed_snippet(
            public_url("clinics.embed", lang=clinic.language),
            public_url("static", filename="embed.js"),
            title,
        ),
        try_origin=try_origin,
        try_command=f"python3 -m http.server {try_port}" if try_origin else None,
        try_url=f"{try_origin}/clinic-test.html" if try_origin else None,
    )


@bp.get("/poster")
def poster() -> str:
    clinic = _clinic_now()
    return render_template("clinics/poster.html", clinic=clinic,
                           link=public_url("clinics.start"))


def _qr_target() -> str:
    lang = request.args.get("lang")
    return public_url("clinics.start", **({"lang": lang} if lang in SUPPORTED else {}))


@bp.get("/qr.svg")
def qr_code_svg() -> Response:
    return _cache_for(Response(qr_svg(_qr_target()), mimetype="image/svg+xml"))


@bp.get("/qr.png")
def qr_code_png() -> Response:
    response = Response(qr_png(_qr_target()), mimetype="image/png")
    if request.args.get("download"):
        name = f"qr-{_clinic_now().slug}.png"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _cache_for(response)


def _framed_clinic(endpoint: str | None, values: dict | None) -> None:
    """A framed path's clinic, its frame origins and what a frame must refuse, found while the
    URL is read (after framed_urls.pull_frame), so before any before_request function, the language
    choice included, which may write to the screening. A refusal is raised as its response."""
    frame = current_frame()
    if frame is None or not frame.token:
        return
    clinic = get_clinic(frame.slug)
    if clinic is None:
        abort(404)
    g.clinic = clinic
    g.frame_ancestors = clinic.embed_origins or None
    refusal = refuse_unframed(clinic)
    if refusal is not None:
        abort(refusal)


def init_framed(app) -> None:
    """Frame requests: find the clinic, allow only its origins to frame, refuse what a frame
    must not answer; and messages after a redirect that need no cookie (notices.notice)."""
    app.url_value_preprocessor(_framed_clinic)
    app.context_processor(template_context)
