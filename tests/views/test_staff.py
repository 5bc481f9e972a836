# ruff: noqa: F811 - the fixtures imported from tests.inbox_support are used as arguments
"""Staff pages over real forms: enrolment through the one-time link, sign-in with password and
a TOTP code computed here, lock-out, the staff cookie, sign-out, and the hostile cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from screener import audit
from screener.extensions import db
from screener.staff import accounts
from screener.staff.models import StaffUser
from screener.timestamps import utcnow
from tests.flow import csrf, start
from tests.inbox_support import (  # noqa: F401 - fixtures
    PASSWORD,
    app,
    clinics,
    code_for,
    enrolled,
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.both_databases

EMAIL = "mira@sofia-mind.example"


def _invite(app, slug, email=EMAIL, role="clinician"):
    with app.app_context():
        invitation = accounts.add_user(slug, email, role)
        return invitation.token, accounts.pending_secret(invitation.user)


def _enrol_form(client, token, secret, **changes):
    page = client.get(f"/clinic/enrol/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert secret in html and "<svg" in html
    data = {"csrf_token": csrf(html), "name": "Dr. Mira Petrova", "password": PASSWORD,
            "confirm": PASSWORD, "code": pyotp.TOTP(secret).now(), **changes}
    return client.post(f"/clinic/enrol/{token}", data=data)


def _user(app, email=EMAIL) -> StaffUser:
    with app.app_context():
        return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def test_enrolment_sets_password_and_totp_and_shows_recovery_codes_once(app, clinics):
    slug, _other = clinics
    token, secret = _invite(app, slug)
    client = app.test_client()
    done = _enrol_form(client, token, secret)
    assert done.status_code == 200, done.get_data(as_text=True)[:3000]
    codes = re.findall(r'<code class="code">([0-9A-Z-]{14})</code>', done.get_data(as_text=True))
    assert len(codes) == accounts.RECOVERY_CODES
    user = _user(app)
    assert user.enrolled_at is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash and secret not in (user.totp_sealed or "")
    # the link is spent: a replay is a 404 and changes nothing
    assert client.get(f"/clinic/enrol/{token}").status_code == 404
    again = _enrol_form_replay(client, token)
    assert again.status_code == 404
    assert _user(app).password_hash == user.password_hash


def _enrol_form_replay(client, token):
    token_page = client.get("/clinic/sign-in").get_data(as_text=True)
    return client.post(f"/clinic/enrol/{token}", data={
        "csrf_token": csrf(token_page), "name": "Mallory",
        "password": "another-long-passphrase-9", "confirm": "another-long-passphrase-9",
        "code": "123456"})


@pytest.mark.parametrize(("changes", "message"), [
    ({"password": "short-pw-1", "confirm": "short-pw-1"}, "at least 12 characters"),
    ({"password": "password1234", "confirm": "password1234"}, "too common"),
    ({"password": "qwertyuiopasdf", "confirm": "qwertyuiopasdf"}, "too common"),
    ({"confirm": PASSWORD + "x"}, "not the same"),
    ({"code": "000000"}, "not right"),
    ({"name": "   "}, "Enter your name"),
    ({"name": "n" * 201}, "Field cannot be longer"),
])
def test_enrolment_refuses_bad_input_and_keeps_the_link(app, clinics, changes, message):
    slug, _other = clinics
    token, secret = _invite(app, slug)
    client = app.test_client()
    refused = _enrol_form(client, token, secret, **changes)
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    user = _user(app)
    assert user.enrolled_at is None and user.password_hash is None
    assert _enrol_form(client, token, secret).status_code == 200


def test_enrolment_link_expires_after_24_hours(app, clinics):
    slug, _other = clinics
    token, _secret = _invite(app, slug)
    with app.app_context():
        db.session.execute(sa.update(StaffUser).values(enrol_expires_at=utcnow()))
        db.session.commit()
    assert app.test_client().get(f"/clinic/enrol/{token}").status_code == 404
    assert app.test_client().get("/clinic/enrol/" + "x" * 43).status_code == 404


def test_enrolment_code_cannot_be_reused_to_sign_in(app, clinics):
    slug, _other = clinics
    token, secret = _invite(app, slug)
    client = app.test_client()
    used = pyotp.TOTP(secret).now()
    assert _enrol_form(client, token, secret, code=used).status_code == 200
    page = client.get("/clinic/sign-in")
    replay = client.post("/clinic/sign-in", data={
        "csrf_token": csrf(page.get_data(as_text=True)), "email": EMAIL,
        "password": PASSWORD, "code": used})
    assert replay.status_code == 400


def test_sign_in_needs_both_factors_and_a_code_works_once(app, clinics):
    slug, _other = clinics
    secret = enrolled(app, slug, EMAIL)
    client = app.test_client()
    assert client.get("/clinic/").status_code == 302  # to sign-in
    wrong = sign_in(client, EMAIL, secret, password="not-the-password-at-all")
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    response = sign_in(client, EMAIL, secret)
    assert response.status_code == 302 and response.headers["Location"].endswith("/clinic/")
    cookie = response.headers.getlist("Set-Cookie")
    staff_cookie = next(c for c in cookie if c.startswith("tms_staff="))
    assert "Path=/clinic" in staff_cookie and "SameSite=Strict" in staff_cookie
    assert "HttpOnly" in staff_cookie
    assert client.get("/clinic/").status_code == 200
    # the same code again, in another browser, is refused
    other = app.test_client()
    assert sign_in(other, EMAIL, secret).status_code == 400
    assert other.get("/clinic/").status_code == 302
    with app.app_context():
        actions = [e.action for e in audit.for_clinic(slug)]
    assert actions.count("sign_in") == 1 and actions.count("sign_in_failed") == 2


def test_a_recovery_code_signs_in_once(app, clinics):
    slug, _other = clinics
    token, secret = _invite(app, slug)
    client = app.test_client()
    done = _enrol_form(client, token, secret)
    code = re.findall(r'<code class="code">([0-9A-Z-]{14})</code>', done.get_data(as_text=True))[0]
    for attempt, expected in ((client, 302), (app.test_client(), 400)):
        page = attempt.get("/clinic/sign-in")
        response = attempt.post("/clinic/sign-in", data={
            "csrf_token": csrf(page.get_data(as_text=True)), "email": EMAIL,
            "password": PASSWORD, "code": code.lower()})
        assert response.status_code == expected
    assert len(_user(app).recovery_hashes) == accounts.RECOVERY_CODES - 1


def test_a_locked_account_cannot_sign_in_with_the_right_password(app, clinics):
    slug, _other = clinics
    secret = enrolled(app, slug, EMAIL)
    client = app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(client, EMAIL, secret, password="wrong-password-guess").status_code == 400
    user = _user(app)
    assert user.locked_until is not None
    right = sign_in(client, EMAIL, secret)
    assert right.status_code == 400 and client.get("/clinic/").status_code == 302
    with app.app_context():
        assert "sign_in_locked" in [e.action for e in audit.for_clinic(slug)]
        db.session.execute(sa.update(StaffUser).values(
            locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert sign_in(client, EMAIL, secret, steps_ahead=1).status_code == 302


def test_sign_in_without_or_with_a_forged_csrf_token_changes_nothing(app, clinics):
    slug, _other = clinics
    secret = enrolled(app, slug, EMAIL)
    client = app.test_client()
    client.get("/clinic/sign-in")
    for token in (None, "forged-token"):
        data = {"email": EMAIL, "password": PASSWORD, "code": code_for(secret)}
        if token:
            data["csrf_token"] = token
        response = client.post("/clinic/sign-in", data=data)
        assert response.status_code == 400
        assert client.get("/clinic/").status_code == 302
    assert _user(app).totp_last_step < pyotp.TOTP(secret).timecode(utcnow())


def test_oversized_sign_in_fields_are_a_clear_400(app, clinics):
    client = app.test_client()
    page = client.get("/clinic/sign-in")
    response = client.post("/clinic/sign-in", data={
        "csrf_token": csrf(page.get_data(as_text=True)), "email": "a" * 300 + "@x.example",
        "password": "p" * 200, "code": "1" * 50})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    huge = client.post("/clinic/sign-in", data={"password": "p" * 300_000})
    assert huge.status_code == 413


def test_the_staff_cookie_is_not_the_patients(app, clinics):
    slug, _other = clinics
    client = signed_in(app, slug, EMAIL)
    home = client.get("/")
    assert home.status_code == 200
    assert not any(c.startswith("tms_staff=") for c in home.headers.getlist("Set-Cookie"))
    # a patient cookie copied under the staff name is not a staff session
    patient = app.test_client()
    start(patient)
    forged = patient.get_cookie("session")
    assert forged is not None
    intruder = app.test_client()
    intruder.set_cookie("tms_staff", forged.value, path="/clinic")
    assert intruder.get("/clinic/").status_code == 302


def test_staff_pages_are_never_framable(app, clinics):
    slug, _other = clinics
    client = signed_in(app, slug, EMAIL)
    for path in ("/clinic/", "/clinic/sign-in"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_sign_out_ends_the_session(app, clinics):
    slug, _other = clinics
    client = signed_in(app, slug, EMAIL)
    page = client.get("/clinic/")
    assert client.post("/clinic/sign-out", data={}).status_code == 400
    assert client.get("/clinic/").status_code == 200
    response = client.post("/clinic/sign-out",
                           data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert client.get("/clinic/").status_code == 302


def test_the_audit_log_is_for_admins_of_that_clinic_only(app, clinics):
    slug, other = clinics
    admin = signed_in(app, slug, "admin@sofia-mind.example", role="admin")
    clinician = signed_in(app, slug, EMAIL)
    stranger = signed_in(app, other, "admin@other.example", role="admin")
    log = admin.get("/clinic/audit")
    assert log.status_code == 200
    html = log.get_data(as_text=True)
    assert "admin@sofia-mind.example" in html and "admin@other.example" not in html
    assert clinician.get("/clinic/audit").status_code == 403
    assert "admin@sofia-mind.example" not in stranger.get("/clinic/audit").get_data(as_text=True)


def test_an_idle_session_lapses(app, clinics, monkeypatch):
    slug, _other = clinics
    client = signed_in(app, slug, EMAIL)
    import time as clock

    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() + 31 * 60)
    assert client.get("/clinic/").status_code == 302


def test_enrolment_without_or_with_a_forged_csrf_token_changes_nothing(app, clinics):
    slug, _other = clinics
    token, secret = _invite(app, slug)
    client = app.test_client()
    client.get(f"/clinic/enrol/{token}")
    data = {"name": "Dr. Mira Petrova", "password": PASSWORD, "confirm": PASSWORD,
            "code": pyotp.TOTP(secret).now()}
    assert client.post(f"/clinic/enrol/{token}", data=data).status_code == 400
    forged = client.post(f"/clinic/enrol/{token}", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 400
    user = _user(app)
    assert user.enrolled_at is None and user.password_hash is None
    assert _enrol_form(client, token, secret).status_code == 200
