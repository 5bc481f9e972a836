"""A submission as the clinician's document: the PDF's own model (pdf.build_summary), so the
inbox page, the PDF and the FHIR download show exactly what the patient's PDF would, plus the
contact details and, once signed off, the review."""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..fhir.response import to_response
from .service import Opened


def _pdf():
    """WeasyPrint is loaded with the first document, not with every worker (as views/summary)."""
    return importlib.import_module("screener.documents.pdf")


def response_json(opened: Opened, lang: str) -> dict[str, Any]:
    submission = opened.submission
    return to_response(opened.evaluation.questionnaire, dict(opened.evaluation.answers),
                       complete=True, authored=submission.received_at, language=lang)




def build(opened: Opened, lang: str, clinic_name: str | None, country: str | None):
    """The ConsultationSummary of one submission, in `lang`, with the sign-off if any."""
    received = opened.submission.received_at
    document = _pdf().build_summary(
        opened.evaluation,
        lang=lang,
        response=response_json(opened, lang),
        screened_at=received,
        clinic=clinic_name,
        country=country,
        name=opened.contact.get("name"),
        dob=opened.contact.get("dob"),
        copy="clinic",
        in_app=True,
    )
    review = opened.review
    if review is not None:
        review = {**review, "at": datetime.fromisoformat(review["at"])}
    return replace(document, review=review)


def pdf_bytes(document) -> bytes:
    return _pdf().summary_pdf(document)


def render_overrun():
    return _pdf().RenderOverrun
