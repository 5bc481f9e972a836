"""The consultation summary: the PDF a patient brings to the clinic, the same answers as a FHIR
QuestionnaireResponse, and the PDF for clinics' own systems.

Rendered on every request and streamed; nothing is stored, and the optional name and date of
birth typed on the results page go into that one PDF only (never into the database or a log).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from babel import Locale
from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from ..api.evaluation import FHIR_JSON
from ..clinics.framed_urls import link
from ..clinics.notices import notice
from ..clinics.service import get_clinic
from ..engine import wizard
from ..engine.rules import evaluate
from ..extensions import limiter
from ..fhir.response import to_response
from ..i18n import select_locale, supported
from ..patient import active as current
from ..patient.country import country_of
from ..patient.model import Screening
from ..web.downloads import RENDER_LIMIT, attachment, pdf_download, pdf_module
from .screening import gone

if TYPE_CHECKING:
    from ..documents.pdf import ConsultationSummary


bp = Blueprint("summary", __name__)


def _other_language(lang: str) -> str:
    others = [code for code in supported() if code != lang]
    return others[0] if others else lang


@bp.app_template_global()
def clinic_language(record: Screening) -> str:
    """The language of the clinic's copy: the clinic's own when the screening is addressed to
    one, otherwise the other of the two we speak."""
    clinic = get_clinic(record.clinic_slug) if record.clinic_slug else None
    if clinic is not None and clinic.language in supported():
        return clinic.language
    return _other_language(record.language)


def _copy_languages(record: Screening) -> dict[str, str]:
    return {
        "mine": record.language,
        "clinic": clinic_language(record),
        "other": _other_language(record.language),
    }


@bp.app_template_global()
def summary_copies(record: Screening) -> list[tuple[str, str]]:
    """The download buttons as (copy, language): my copy and the clinic's; with no clinic, or
    one that reads the patient's language, my copy and one in the other language instead."""
    languages = _copy_languages(record)
    addressed = bool(record.clinic_slug and get_clinic(record.clinic_slug))
    # Without a clinic, "copy for the clinic, in English" would suggest clinics want English.
    second = "clinic" if addressed and languages["clinic"] != languages["mine"] else "other"
    copies = [("mine", languages["mine"])]
    if languages[second] != languages["mine"]:
        copies.append((second, languages[second]))
    return copies


def _requested_copy(record: Screening) -> tuple[str, str]:
    """(copy, language) from the form's `copy` button, else from `lang` (links and older
    forms); the patient's own copy when neither is given."""
    languages = _copy_languages(record)
    asked = request.values.get("copy")
    if asked in languages and languages[asked] in supported():
        return asked, languages[asked]
    lang = request.values.get("lang")
    if lang not in supported():
        lang = record.language if record.language in supported() else select_locale()
    for copy in ("mine", "clinic", "other"):
        if languages[copy] == lang:
            return copy, lang
    return "other", lang


@bp.app_template_global()
def language_name(code: str, in_lang: str) -> str:
    return Locale.parse(code).get_display_name(in_lang) or code


@bp.route("/summary.pdf", methods=["GET", "POST"])
@limiter.limit(RENDER_LIMIT)
def pdf() -> BaseResponse:
    """GET from a link, or POST from the results page's form (name and date of birth, which
    then stay out of the URL, the browser history and access logs). CSRF-checked on POST."""
    record = current.screening()
    if record is None:
        return gone()
    if not wizard.confirmed(current.questionnaire_for(record), record.answers,
                            record.completed_at):
        return redirect(link("screening.check", **notice("confirm")))
    copy, lang = _requested_copy(record)
    return pdf_download(_document(record, lang, copy=copy))


@bp.get("/summary.json")
def fhir() -> BaseResponse:
    """The answers as a FHIR R4 QuestionnaireResponse, to download on their own."""
    record = current.screening()
    if record is None:
        return gone()
    if not wizard.confirmed(current.questionnaire_for(record), record.answers,
                            record.completed_at):
        return redirect(link("screening.check", **notice("confirm")))
    document = _document(record, request.args.get("lang"), identity=False)
    body = json.dumps(document.response, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype=FHIR_JSON,
        headers={
            "Content-Disposition": attachment(document.json_filename),
            "Cache-Control": "no-store",
        },
    )


def _document(
    record: Screening, asked: str | None, identity: bool = True, copy: str | None = None
) -> ConsultationSummary:
    q = current.questionnaire_for(record)
    lang = asked if asked in supported() else record.language
    if lang not in supported():
        lang = select_locale()
    evaluation = evaluate(q, record.answers, complete=True)
    completed = record.completed_at
    clinic, clinic_country = _clinic(record.clinic_slug)
    # Only from the POSTed form: a name in a link would end up in history and access logs.
    form = request.form if identity else {}
    return pdf_module().build_summary(
        evaluation,
        lang=lang,
        response=to_response(
            q, dict(evaluation.answers), complete=True, authored=completed, language=lang
        ),
        screened_at=completed,
        clinic=clinic,
        country=clinic_country or country_of(record),
        name=form.get("name"),
        dob=form.get("dob"),
        browser_zone=request.values.get("tz"),
        copy=copy,
        in_app=True,
    )


def _clinic(slug: str | None) -> tuple[str | None, str | None]:
    """The clinic a screening is addressed to ("name, city", the city left out when the name
    already says it) and its country, when there is one."""
    clinic = get_clinic(slug) if slug else None
    if clinic is None:
        return None, None
    return _clinic_line(clinic.name, clinic.city), clinic.country


def _clinic_line(name: str, city: str | None) -> str:
    if not city or re.search(rf"(?<!\w){re.escape(city)}(?!\w)", name, re.IGNORECASE):
        return name
    return f"{name}, {city}"
