"""POST /api/v1/summary: the consultation summary PDF for a FHIR QuestionnaireResponse sent by
a clinic's own system. Stateless like /api/v1/evaluate, whose checks it shares."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..extensions import limiter
from ..fhir.dates import date_time
from ..fhir.response import COMPLETE_STATUSES, to_response
from ..i18n import select_locale, supported
from ..web.downloads import RENDER_LIMIT, pdf_download, pdf_module
from .evaluation import evaluate_body
from .problems import problem

bp = Blueprint("summary_api", __name__, url_prefix="/api/v1")


@bp.post("/summary")
@limiter.limit(RENDER_LIMIT)
def api_summary() -> Response:
    """The consultation summary PDF for a FHIR QuestionnaireResponse.
    ---
    post:
      summary: Render the consultation summary PDF for a FHIR R4 QuestionnaireResponse
      description: >
        Takes the same QuestionnaireResponse as POST /api/v1/evaluate (and answers with the same
        errors) and returns the clinician's summary as a PDF, with the response attached as
        questionnaire-response.json. Rendered on request and streamed; nothing is stored.
      parameters:
        - in: query
          name: lang
          schema: {type: string, enum: [en, bg]}
          description: Language of the PDF; Accept-Language, then English, when omitted.
      requestBody:
        required: true
        content:
          application/fhir+json:
            schema: {$ref: '#/components/schemas/QuestionnaireResponse'}
          application/json:
            schema: {$ref: '#/components/schemas/QuestionnaireResponse'}
      responses:
        200:
          description: The summary (PDF/UA, A4), with Content-Disposition attachment
          content:
            application/pdf:
              schema: {type: string, format: binary}
        400:
          description: The body is not JSON, or lang is not a supported language
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        413:
          description: The body is larger than 256 KiB
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        415:
          description: Content-Type is neither application/fhir+json nor application/json
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        422:
          description: Unknown linkId, wrong answer type or unknown code; every error listed
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        429:
          description: Too many renders from this address; try again in a minute
        503:
          description: The render took longer than its bound and was stopped; try again
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    lang = request.args.get("lang") or select_locale()
    if lang not in supported():
        return problem(400, "Unsupported language", f"lang must be one of {', '.join(supported())}")
    data, evaluation, failure = evaluate_body()
    if failure is not None:
        return failure
    assert isinstance(data, dict) and evaluation is not None  # anything else was refused
    authored = date_time(data.get("authored"))
    complete = data.get("status", "completed") in COMPLETE_STATUSES
    document = pdf_module().build_summary(
        evaluation,
        lang=lang,
        response=to_response(
            evaluation.questionnaire,
            dict(evaluation.answers),
            complete=complete,
            authored=authored,
            language=lang,
        ),
        screened_at=authored,
        complete=complete,
    )
    return pdf_download(document)
