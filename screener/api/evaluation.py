"""JSON API for clinics' systems: the questionnaire as FHIR, and evaluation of a response."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from ..engine.rules import Evaluation
from ..fhir.questionnaire import to_fhir
from ..i18n import select_locale
from .assessment import InvalidResponse, assess_response, evaluation_json
from .problems import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")

FHIR_JSON = "application/fhir+json"
JSON_TYPES = frozenset({"application/json", FHIR_JSON})
"""What a POST body may be declared as. `text/plain` (or a form type) is what any web page can
make a visitor's browser send without a preflight, so refusing it keeps other sites out."""


def registry():
    return current_app.extensions["questionnaires"]


@bp.get("/questionnaire")
def questionnaire() -> Response:
    """The current questionnaire as a FHIR R4 Questionnaire (Bulgarian as translations).
    ---
    get:
      summary: The current questionnaire as a FHIR R4 Questionnaire
      parameters:
        - in: query
          name: version
          schema: {type: string}
          description: A released version; the current one when omitted.
      responses:
        200:
          description: FHIR R4 Questionnaire
          content:
            application/fhir+json:
              schema: {type: object}
        400:
          description: A control character in the query
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        404:
          description: No such version
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    version = request.args.get("version")
    q = registry().get(version) if version else registry().current
    if q is None:
        return problem(404, "Unknown questionnaire version", f"versions: {registry().versions}")
    body = json.dumps(to_fhir(q), ensure_ascii=False)
    return Response(body, mimetype=FHIR_JSON)


@bp.post("/evaluate")
def evaluate() -> Response:
    """Evaluate a FHIR QuestionnaireResponse: outcome and flags.
    ---
    post:
      summary: Evaluate a FHIR R4 QuestionnaireResponse
      description: >
        Follow-ups may be nested (answer[].item, section groups) or flat. Accept-Language (en|bg)
        picks the texts. Nothing is stored.
      requestBody:
        required: true
        content:
          application/fhir+json:
            schema: {$ref: '#/components/schemas/QuestionnaireResponse'}
          application/json:
            schema: {$ref: '#/components/schemas/QuestionnaireResponse'}
      responses:
        200:
          description: Outcome and flags
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Evaluation'}
        400:
          description: The body is not JSON
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
    """
    _data, evaluation, failure = evaluate_body()
    if failure is not None:
        return failure
    return Response(
        json.dumps(evaluation_json(evaluation, select_locale()), ensure_ascii=False),
        mimetype="application/json",
    )


def evaluate_body() -> tuple[object, Evaluation | None, Response | None]:
    """Read a QuestionnaireResponse from the body and judge it; on any fault, the problem
    response to send instead (400 not JSON, 422 every error with its linkId)."""
    data, failure = read_json_body()
    if failure is not None:
        return data, None, failure
    try:
        return data, assess_response(data, registry()), None
    except InvalidResponse as exc:
        return data, None, problem(
            422,
            "Invalid QuestionnaireResponse",
            f"{len(exc.errors)} problem(s); see errors",
            errors=exc.errors,
        )


def read_json_body() -> tuple[object, Response | None]:
    """The request body as JSON, or the problem response to send instead (415 for any
    declared type but JSON, checked before the body is read)."""
    if request.mimetype not in JSON_TYPES:
        detail = "send the body as application/fhir+json or application/json"
        return None, problem(415, "Unsupported media type", detail)
    raw = request.get_data(cache=True)
    try:
        # A byte-order mark is tolerated (some Windows tools write one); an integer too long
        # for Python's parser is still JSON: it becomes a number the checks then refuse (422).
        return json.loads(raw.decode("utf-8-sig"), parse_int=_json_int), None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, problem(400, "Body is not JSON", "send a UTF-8 JSON document")


def _json_int(text: str) -> int | float:
    return int(text) if len(text) <= 100 else float(text)
