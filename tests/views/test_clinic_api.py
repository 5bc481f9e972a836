# ruff: noqa: F811 - the fixtures imported from tests.inbox_support are used as arguments
"""The clinics' pull API: bearer tokens per clinic, a FHIR R4 searchset Bundle (validated with
fhir.resources) with the contact as a contained Patient, acknowledgement, 404 for another
clinic's ids, problem+json errors, both calls audited and in the OpenAPI document."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle

from screener import audit
from screener.extensions import db
from screener.staff import tokens
from screener.submissions.models import Submission
from tests.inbox_support import CONTACT, app, clinics, send  # noqa: F401 - fixtures

pytestmark = pytest.mark.both_databases

LIST = "/api/v1/clinic/submissions"


def _token(app, slug):
    with app.app_context():
        return tokens.add_token(slug)[1]


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_new_submissions_as_a_fhir_bundle_then_acknowledged(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    client = app.test_client()
    token = _token(app, slug)
    response = client.get(LIST + "?status=new", headers=_auth(token))
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    body = response.get_json()
    Bundle.model_validate(body)  # R4B: R4 plus fixes, the same QuestionnaireResponse
    assert body["type"] == "searchset" and body["total"] == 1
    resource = body["entry"][0]["resource"]
    assert resource["id"] == sent.submission_id
    assert resource["identifier"]["value"] == sent.reference
    patient = resource["contained"][0]
    assert patient["name"][0]["text"] == CONTACT["name"]
    assert patient["birthDate"] == "1981-03-14"
    assert {t["value"] for t in patient["telecom"]} == {CONTACT["phone"], CONTACT["email"]}
    assert resource["subject"] == {"reference": "#patient"}
    with app.app_context():
        assert db.session.get(Submission, sent.submission_id).opened_at is not None
    ack = client.post(f"{LIST}/{sent.submission_id}/ack", headers=_auth(token))
    assert ack.status_code == 200 and ack.get_json()["status"] == "opened"
    assert client.get(LIST + "?status=new", headers=_auth(token)).get_json()["total"] == 0
    with app.app_context():
        actions = [e.action for e in audit.for_clinic(slug)]
    assert "api_list" in actions and "api_ack" in actions


def test_another_clinics_token_sees_nothing_and_gets_404(app, clinics):
    slug, other = clinics
    sent = send(app, slug)
    client = app.test_client()
    token = _token(app, other)
    assert client.get(LIST, headers=_auth(token)).get_json()["total"] == 0
    ack = client.post(f"{LIST}/{sent.submission_id}/ack", headers=_auth(token))
    assert ack.status_code == 404 and ack.mimetype == "application/problem+json"
    with app.app_context():
        row = db.session.get(Submission, sent.submission_id)
        assert row.opened_at is None and row.acknowledged_at is None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc",
                                    "Bearer " + "x" * 500])
def test_no_valid_token_is_a_401_problem(app, clinics, header):
    slug, _other = clinics
    sent = send(app, slug)
    headers = {"Authorization": header} if header else {}
    client = app.test_client()
    for response in (client.get(LIST, headers=headers),
                     client.post(f"{LIST}/{sent.submission_id}/ack", headers=headers)):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context():
        assert db.session.get(Submission, sent.submission_id).opened_at is None


def test_a_revoked_token_stops_working(app, clinics):
    slug, _other = clinics
    client = app.test_client()
    token = _token(app, slug)
    assert client.get(LIST, headers=_auth(token)).status_code == 200
    with app.app_context():
        assert tokens.revoke_token(slug, token[:12]) == 1
    assert client.get(LIST, headers=_auth(token)).status_code == 401


def test_a_bad_status_is_a_400_problem(app, clinics):
    slug, _other = clinics
    response = app.test_client().get(LIST + "?status=everything",
                                     headers=_auth(_token(app, slug)))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_tokens_are_stored_hashed(app, clinics):
    slug, _other = clinics
    token = _token(app, slug)
    with app.app_context():
        from screener.staff.models import ApiToken

        stored = db.session.scalars(db.select(ApiToken)).one()
        assert token not in stored.token_hash and stored.token_hash != token


def test_both_calls_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/clinic/submissions"]
    assert "post" in spec["paths"]["/api/v1/clinic/submissions/{submission_id}/ack"]
    assert spec["components"]["securitySchemes"]["clinicToken"]["scheme"] == "bearer"
