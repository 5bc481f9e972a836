# ruff: noqa: F811 - the fixtures imported from tests.inbox_support are used as arguments
"""The clinic inbox over real forms: a submission sent from a real screening is on top (urgent),
unread until opened; opened as the clinician's document; its PDF (read back with pypdf) and
FHIR downloaded; signed off, after which the PDF carries the sign-off; deleted by an admin.
Another clinic's staff get a 404 on every route, and hostile forms change nothing."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from screener import audit
from screener.extensions import db
from screener.submissions.models import Submission
from tests.flow import csrf
from tests.inbox_support import (  # noqa: F401 - fixtures
    CONTACT,
    app,
    clinics,
    send,
    signed_in,
)

pytestmark = pytest.mark.both_databases


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _row(app, submission_id) -> Submission | None:
    with app.app_context():
        return db.session.get(Submission, submission_id)


def test_the_whole_round_in_the_inbox(app, clinics):
    slug, _other = clinics
    calm = send(app, slug, changes={}, contact={"name": "Calm Patient"})
    urgent = send(app, slug)
    client = signed_in(app, slug, "mira@sofia-mind.example")
    listing = client.get("/clinic/").get_data(as_text=True)
    assert listing.index(CONTACT["name"]) < listing.index("Calm Patient")
    assert listing.count('class="tag new"') == 2
    assert urgent.reference in listing

    page = client.get(f"/clinic/submissions/{urgent.submission_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert CONTACT["phone"] in html and CONTACT["email"] in html
    assert html.index("flags-title") < html.index("answers-title")
    assert _row(app, urgent.submission_id).status == "opened"
    listing = client.get("/clinic/").get_data(as_text=True)
    assert listing.count('class="tag new"') == 1

    pdf = client.get(f"/clinic/submissions/{urgent.submission_id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert CONTACT["name"] in text and "Urgent" in text
    assert "Proceed to consultation" not in text

    fhir = client.get(f"/clinic/submissions/{urgent.submission_id}/response.json")
    assert fhir.status_code == 200 and fhir.mimetype == "application/fhir+json"
    assert json.loads(fhir.data)["resourceType"] == "QuestionnaireResponse"

    signed = client.post(f"/clinic/submissions/{urgent.submission_id}/review", data={
        "csrf_token": csrf(html), "decision": "clarify", "note": "Call about the shunt valve"})
    assert signed.status_code == 302
    assert _row(app, urgent.submission_id).status == "reviewed"
    text = _pdf_text(client.get(f"/clinic/submissions/{urgent.submission_id}/summary.pdf").data)
    assert "Needs clarification" in text and "Dr. Mira Petrova" in text
    assert "Call about the shunt valve" in text

    with app.app_context():
        actions = [e.action for e in reversed(audit.for_clinic(slug))]
        entries = audit.for_clinic(slug)
    assert actions[:2] == ["received", "received"]
    for action in ("sign_in", "view", "download_pdf", "download_fhir", "review"):
        assert action in actions
    for entry in entries:
        row = " ".join(str(v) for v in (entry.actor, entry.address, entry.action))
        assert CONTACT["name"] not in row and "shunt" not in row
    assert _row(app, calm.submission_id).status == "new"


def test_another_clinics_staff_get_404_everywhere(app, clinics):
    slug, other = clinics
    sent = send(app, slug)
    stranger = signed_in(app, other, "admin@other.example", role="admin")
    token = csrf(stranger.get("/clinic/").get_data(as_text=True))
    base = f"/clinic/submissions/{sent.submission_id}"
    for path in (base, base + "/summary.pdf", base + "/response.json"):
        assert stranger.get(path).status_code == 404, path
    for path, data in ((base + "/review", {"decision": "proceed", "note": ""}),
                       (base + "/delete", {})):
        assert stranger.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert sent.reference not in stranger.get("/clinic/").get_data(as_text=True)
    row = _row(app, sent.submission_id)
    assert row.status == "new" and row.opened_at is None and row.sealed_review is None
    for made_up in ("x" * 24, "../../etc", "a" * 200):
        assert stranger.get(f"/clinic/submissions/{made_up}").status_code == 404


def test_review_without_or_with_a_forged_token_changes_nothing(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    client = signed_in(app, slug, "mira@sofia-mind.example")
    path = f"/clinic/submissions/{sent.submission_id}/review"
    assert client.post(path, data={"decision": "proceed"}).status_code == 400
    assert client.post(path, data={"csrf_token": "forged", "decision": "proceed"}
                       ).status_code == 400
    other_browser = signed_in(app, slug, "second@sofia-mind.example")
    foreign = csrf(other_browser.get("/clinic/").get_data(as_text=True))
    assert client.post(path, data={"csrf_token": foreign, "decision": "proceed"}
                       ).status_code == 400
    assert _row(app, sent.submission_id).sealed_review is None


@pytest.mark.parametrize("data", [
    {"decision": "approve"},
    {"decision": "proceed", "note": "n" * 2001},
    {},
])
def test_bad_review_input_is_a_clear_400(app, clinics, data):
    slug, _other = clinics
    sent = send(app, slug)
    client = signed_in(app, slug, "mira@sofia-mind.example")
    page = client.get(f"/clinic/submissions/{sent.submission_id}")
    response = client.post(f"/clinic/submissions/{sent.submission_id}/review",
                           data={"csrf_token": csrf(page.get_data(as_text=True)), **data})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert _row(app, sent.submission_id).sealed_review is None


def test_only_admins_delete_and_deleted_is_gone(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    clinician = signed_in(app, slug, "mira@sofia-mind.example")
    token = csrf(clinician.get("/clinic/").get_data(as_text=True))
    path = f"/clinic/submissions/{sent.submission_id}/delete"
    assert clinician.post(path, data={"csrf_token": token}).status_code == 403
    assert _row(app, sent.submission_id) is not None
    admin = signed_in(app, slug, "admin@sofia-mind.example", role="admin")
    page = admin.get(f"/clinic/submissions/{sent.submission_id}").get_data(as_text=True)
    assert admin.post(path, data={}).status_code == 400
    assert admin.post(path, data={"csrf_token": csrf(page)}).status_code == 302
    assert _row(app, sent.submission_id) is None
    assert admin.get(f"/clinic/submissions/{sent.submission_id}").status_code == 404
    with app.app_context():
        assert "delete" in [e.action for e in audit.for_clinic(slug)]
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_the_inbox_needs_a_signed_in_account(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    anonymous = app.test_client()
    for path in ("/clinic/", f"/clinic/submissions/{sent.submission_id}",
                 f"/clinic/submissions/{sent.submission_id}/summary.pdf"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/clinic/sign-in" in response.headers["Location"]
    assert _row(app, sent.submission_id).opened_at is None


def test_the_inbox_speaks_bulgarian(app, clinics):
    slug, _other = clinics
    send(app, slug)
    client = signed_in(app, slug, "mira@sofia-mind.example")
    page = client.get("/clinic/?lang=bg").get_data(as_text=True)
    assert 'lang="bg"' in page and "Подадени" in page
    assert 'lang="bg"' in client.get("/clinic/").get_data(as_text=True)
