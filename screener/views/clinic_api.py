"""The pull API for clinics' own systems: their submissions as a FHIR R4 searchset Bundle,
and an acknowledgement once stored. A per-clinic bearer token (`flask clinics add-token`);
another clinic's id is a 404 like an unknown one. Both calls are audited per submission."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, json, request

from .. import audit
from ..api.problems import problem
from ..extensions import db, limiter
from ..staff.tokens import authenticate
from ..submissions import document, service
from ..submissions.models import STATUSES
from ..submissions.service import SubmissionError

bp = Blueprint("clinic_api", __name__, url_prefix="/api/v1/clinic")

FHIR_JSON = "application/fhir+json"
API_LIMIT = "60 per minute"
REFERENCE_SYSTEM = "urn:tms-screener:submission-reference"
_DMY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")


def _token():
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        response = problem(401, "Unauthorized",
                           "send the clinic's API token as 'Authorization: Bearer <token>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="clinic"'
        return None, response
    return token, None


def _birth_date(typed: str | None) -> str | None:
    """FHIR's birthDate only when the typed date reads as one (ISO or day.month.year)."""
    if not typed:
        return None
    try:
        return date.fromisoformat(typed.strip()).isoformat()
    except ValueError:
        pass
    match = _DMY.match(typed)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


def _patient(contact: dict[str, str]) -> dict:
    patient: dict = {"resourceType": "Patient", "id": "patient"}
    if contact.get("name"):
        patient["name"] = [{"text": contact["name"]}]
    telecom = [{"system": system, "value": contact[key]}
               for key, system in (("phone", "phone"), ("email", "email")) if contact.get(key)]
    if telecom:
        patient["telecom"] = telecom
    born = _birth_date(contact.get("dob"))
    if born:
        patient["birthDate"] = born
    return patient


def _entry(opened: service.Opened) -> dict:
    submission = opened.submission
    resource = document.response_json(opened, submission.language)
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": submission.id,
        "contained": [_patient(opened.contact)],
        "identifier": {"system": REFERENCE_SYSTEM,
                       "value": service.format_reference(submission.reference)},
        "subject": {"reference": "#patient"},
        **{k: v for k, v in resource.items() if k != "resourceType"},
    }
    return {
        "fullUrl": f"{request.host_url}api/v1/clinic/submissions/{submission.id}",
        "resource": resource,
        "search": {"mode": "match"},
    }


@bp.get("/submissions")
@limiter.limit(API_LIMIT)
def submissions() -> Response:
    """The clinic's submissions as a FHIR Bundle.
    ---
    get:
      summary: The clinic's submissions as a FHIR R4 searchset Bundle
      description: >
        Each entry is a QuestionnaireResponse (the answers as judged when sent) with the
        patient's contact details as a contained Patient. Pulling one counts as the clinic
        opening it (the patient can no longer withdraw it); acknowledge each once stored, so
        that it leaves the status=new list. Every entry returned is audited.
      security:
        - clinicToken: []
      parameters:
        - in: query
          name: status
          schema: {type: string, enum: [new, opened, reviewed]}
          description: Only submissions with this status; all live ones when omitted.
      responses:
        200:
          description: A FHIR R4 Bundle of type searchset
          content:
            application/fhir+json:
              schema: {type: object}
        400:
          description: status is not one of new, opened, reviewed (or holds a control character)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        401:
          description: No token, or one that is unknown or revoked
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        429:
          description: Too many requests; try again in a minute
    """
    token, failure = _token()
    if failure is not None:
        return failure
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        return problem(400, "Bad status", f"status must be one of {', '.join(STATUSES)}")
    opened = service.for_api(token.clinic_slug, status, token.actor)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(opened),
        "entry": [_entry(one) for one in opened],
    }
    return Response(json.dumps(bundle, ensure_ascii=False), mimetype=FHIR_JSON)


@bp.post("/submissions/<submission_id>/ack")
@limiter.limit(API_LIMIT)
def ack(submission_id: str) -> Response:
    """Acknowledge one submission.
    ---
    post:
      summary: Acknowledge that the clinic's system has stored a submission
      description: >
        Marks it opened, so that it leaves the status=new list. Audited. Another clinic's
        submission is a 404, like one that does not exist.
      security:
        - clinicToken: []
      parameters:
        - in: path
          name: submission_id
          required: true
          schema: {type: string, maxLength: 32}
      responses:
        200:
          description: Acknowledged (again, if it already was)
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  status: {type: string}
        400:
          description: The id contains a control character
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        401:
          description: No token, or one that is unknown or revoked
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        404:
          description: No such submission for this clinic
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        429:
          description: Too many requests; try again in a minute
    """
    token, failure = _token()
    if failure is not None:
        return failure
    try:
        submission = service.acknowledge(token.clinic_slug, submission_id, token.actor)
    except SubmissionError:
        audit.record("api_denied", token.clinic_slug, token.actor)
        db.session.commit()
        return problem(404, "Not Found", "no such submission for this clinic")
    return Response(json.dumps({"id": submission.id, "status": submission.status}),
                    mimetype="application/json")
