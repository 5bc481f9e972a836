"""Judging a QuestionnaireResponse sent by a clinic's system: parse, then evaluate.

Kept apart from the view so the API, the PDF endpoint and tests share one path.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..engine.rules import Evaluation, Flag, evaluate
from ..fhir.response import parse_response
from ..questionnaire.loader import Registry
from ..questionnaire.model import SEVERITY


class InvalidResponse(Exception):
    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the QuestionnaireResponse")


def assess_response(data: Any, registry: Registry) -> Evaluation:
    parsed = parse_response(data, registry)
    if parsed.errors or parsed.questionnaire is None:
        raise InvalidResponse(parsed.errors)
    return evaluate(parsed.questionnaire, parsed.answers, complete=parsed.complete)


def flag_json(flag: Flag, lang: str) -> dict[str, Any]:
    return {
        "linkId": flag.link_id,
        "level": flag.level,
        "patient_text": flag.patient.get_text(lang),
        "clinician_text": flag.clinician.get_text(lang),
        "sources": list(flag.sources),
    }


class FlagSchema(Schema):
    linkId = fields.String(required=True)  # FHIR spelling
    level = fields.String(required=True, validate=validate.OneOf(list(SEVERITY)))
    patient_text = fields.String(required=True)
    clinician_text = fields.String(required=True)
    sources = fields.List(fields.String(), required=True)


class QuestionnaireRefSchema(Schema):
    url = fields.String(required=True)
    version = fields.String(required=True)


class EvaluationSchema(Schema):
    """The answer of /evaluate: dumped through here, and the OpenAPI component made from it."""

    outcome = fields.String(required=True, validate=validate.OneOf(["none", *SEVERITY]))
    outcome_text = fields.String(required=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True,
                        metadata={"description": "Most serious first"})
    questionnaire = fields.Nested(QuestionnaireRefSchema, required=True)
    dropped = fields.List(fields.String(), required=True, metadata={
        "description": "linkIds answered although branching disabled them; not judged"})


_EVALUATION = EvaluationSchema()
"""One instance for every request: building a marshmallow schema costs more than dumping."""


def evaluation_json(evaluation: Evaluation, lang: str) -> dict[str, Any]:
    q = evaluation.questionnaire
    return _EVALUATION.dump({
        "outcome": evaluation.outcome,
        "outcome_text": evaluation.outcome_patient_text(lang),
        "flags": [flag_json(f, lang) for f in evaluation.flags],
        "questionnaire": {"url": q.url, "version": q.version},
        "dropped": list(evaluation.dropped),
    })
