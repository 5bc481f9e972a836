"""The consultation summary as a download: for the patient's pages and for the JSON API.

Both render a PDF on request under the same bound and the same rate, and send it as an
attachment nobody may cache (it is health data)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from flask import Response
from werkzeug.wrappers import Response as BaseResponse

from .errors import render_overrun

if TYPE_CHECKING:
    from ..documents.pdf import ConsultationSummary

RENDER_LIMIT = "30 per minute"
"""A render costs a few hundred milliseconds of CPU: enough for people, not for a flood."""


def pdf_module() -> ModuleType:
    """WeasyPrint takes most of a second to import (its Pango bindings): load it with the first
    PDF, not with every worker, so a worker starts fast."""
    return importlib.import_module("screener.documents.pdf")


def attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def pdf_download(document: ConsultationSummary) -> BaseResponse:
    """The PDF, or the page saying it took too long (the render is stopped at its bound)."""
    pdf = pdf_module()
    try:
        data = pdf.summary_pdf(document)
    except pdf.RenderOverrun:
        return render_overrun()
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": attachment(document.filename), "Cache-Control": "no-store"},
    )
