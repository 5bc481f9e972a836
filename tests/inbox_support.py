"""Shared parts of the clinic-inbox tests: two real clinics in the directory, a real screening
completed through the patient's forms, submissions sent through the service, staff accounts
enrolled with TOTP codes computed here (pyotp), and sign-in through the real form."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet

from screener.directory import importer
from screener.extensions import db
from screener.patient import storage
from screener.staff import accounts
from screener.submissions import service
from screener.timestamps import utcnow
from tests.conftest import make_app
from tests.flow import complete, csrf

KEY = Fernet.generate_key().decode()
PASSWORD = "violet-harbour-lantern-87"
URGENT = {"treatment": {"self_harm": "yes"}, "metal": {"shunt": "yes"}}
"""A screening with an urgent answer and a possible contraindication (a shunt)."""
CONTACT = {"name": "Zornitsa Quillfeather", "dob": "14.03.1981", "phone": "+359 888 414 273",
           "email": "zornitsa.quill@example.org"}
"""Distinctive values, so that a search of raw database bytes cannot hit them by chance."""

BASE = {
    "name": "Dr. Example", "city": "Sofia", "country": "BG", "lat": 42.6977, "lon": 23.3219,
    "languages": ["bg", "en"], "conditions": ["depression"], "tms_types": ["rtms-10hz"],
    "accepting_new_patients": True, "remote_consultation": False,
    "last_verified": "2026-10-01", "language": "en",
}
CLINIC = {**BASE, "slug": "sofia-mind-clinic", "clinic": "Sofia Mind Clinic",
          "embed_origins": ["https://www.clinic-example.bg"]}
OTHER = {**BASE, "slug": "other-clinic", "clinic": "Other Clinic",
         "embed_origins": ["https://www.other-clinic.example"]}


def inbox_app(database_url: str, **extra):
    return make_app(database_url, SUBMISSION_KEYS=(KEY,), **extra)


@pytest.fixture
def app(database_url):
    application = inbox_app(database_url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def clinics(app, tmp_path):
    path = tmp_path / "clinics.json"
    path.write_text(json.dumps([CLINIC, OTHER]), encoding="utf-8")
    with app.app_context():
        importer.import_file(path)
    return CLINIC["slug"], OTHER["slug"]


def screened(app, changes=URGENT) -> tuple[str, dict]:
    """A real screening's version and answers, as the patient's own forms saved them."""
    patient = app.test_client()
    complete(patient, changes)
    with app.app_context():
        record = db.session.scalars(db.select(storage.Screening)).all()[-1]
        return record.questionnaire_version, dict(record.answers)


def send(app, slug: str, changes=URGENT, contact=None) -> service.Sent:
    version, answers = screened(app, changes)
    with app.app_context():
        return service.send(clinic_slug=slug, questionnaire_version=version, answers=answers,
                            language="en", contact=dict(CONTACT if contact is None else contact))


def enrolled(app, slug: str, email: str, role: str = "clinician",
             name: str = "Dr. Mira Petrova") -> str:
    """An enrolled account; returns its TOTP secret. Enrolment spends the code of two steps
    ago, so the real sign-in form can still take this step's code and the next one."""
    with app.app_context():
        invitation = accounts.add_user(slug, email, role)
        secret = accounts.pending_secret(invitation.user)
        past = utcnow() - timedelta(seconds=60)
        accounts.enrol(invitation.token, name=name, password=PASSWORD, confirm=PASSWORD,
                       code=pyotp.TOTP(secret).at(past), now=past)
    return secret


def code_for(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def sign_in(client, email: str, secret: str, steps_ahead: int = 0, password: str = PASSWORD):
    page = client.get("/clinic/sign-in")
    return client.post("/clinic/sign-in", data={
        "csrf_token": csrf(page.get_data(as_text=True)), "email": email,
        "password": password, "code": code_for(secret, steps_ahead)})


def signed_in(app, slug: str, email: str, role: str = "clinician"):
    client = app.test_client()
    secret = enrolled(app, slug, email, role)
    response = sign_in(client, email, secret)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/clinic/")
    return client
