"""Idempotent pages (issue 12, item 8): the framed saved page shows the same resume code on every
view, a step submit stores nothing beyond the form's limits, and step submits are rate-limited
per screening with a page that keeps what was typed."""

from __future__ import annotations

import re

import pytest

from screener.extensions import db, limiter
from screener.patient import model
from tests.conftest import make_app
from tests.flow import csrf, field, post_step, start
from tests.views.test_clinics import (
    CLINIC,
    _framed_id,
    _framed_start,
    _framed_step,
    _import,
    _in_frame,
    _resume,
)

pytestmark = pytest.mark.both_databases

CODE = re.compile(r'class="code">([A-Z0-9-]+)<')


@pytest.fixture
def clinic(app, tmp_path):
    _import(app, tmp_path, CLINIC)
    return CLINIC["slug"]


def _record(app, screening_id: str) -> model.Screening:
    with app.app_context():
        return db.session.get(model.Screening, screening_id)


def _only_record(app) -> model.Screening:
    with app.app_context():
        return db.session.scalars(db.select(model.Screening)).one()


def test_the_framed_saved_page_shows_the_same_code_on_every_view(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    saved = _framed_step(client, base, "about_you", {"age_band": "18_64", "action": "save"})
    assert saved.headers["Location"] == f"{base}/saved"
    first = CODE.search(client.get(f"{base}/saved").get_data(as_text=True)).group(1)
    stored = _record(app, _framed_id(base)).resume_hash
    reloaded = CODE.search(client.get(f"{base}/saved").get_data(as_text=True)).group(1)
    back = CODE.search(client.get(f"{base}/saved?lang=bg").get_data(as_text=True)).group(1)
    assert first == reloaded == back
    assert _record(app, _framed_id(base)).resume_hash == stored  # a view writes nothing
    # The code copied from the first view still works after the reload and Back.
    resumed = _resume(client, clinic, first, lang="en")
    assert resumed.headers["Location"].startswith(base), resumed.headers.get("Location")
    # Saving again later shows that same code once more: nothing the patient holds dies.
    _framed_step(client, base, "devices", {"cochlear_implant": "no", "action": "save"})
    assert CODE.search(client.get(f"{base}/saved").get_data(as_text=True)).group(1) == first


def test_framed_codes_differ_between_screenings(app, clinic):
    codes = set()
    for _ in range(3):
        client = _in_frame(app)
        base = _framed_start(client, clinic, lang="en")
        codes.add(CODE.search(client.get(f"{base}/saved").get_data(as_text=True)).group(1))
    assert len(codes) == 3


def test_the_site_saved_page_keeps_its_code_too(app, client):
    start(client)
    post_step(client, "about_you", {"age_band": "18_64", "action": "save"})
    first = CODE.search(client.get("/saved").get_data(as_text=True)).group(1)
    assert CODE.search(client.get("/saved").get_data(as_text=True)).group(1) == first


def test_an_over_long_submit_stores_no_more_than_the_form_holds(app, client):
    start(client)
    token = csrf(client.get("/questions/medicines").get_data(as_text=True))
    huge = "x" * 200_000  # with the rest, just under the 256 KiB a request may carry
    response = client.post("/questions/medicines", data={
        "csrf_token": token,
        field("medications"): "yes",
        field("medications.list"): huge,
        field("alcohol_use"): ["z" * 100] * 300,
        "not_a_question": "y" * 20_000,
    })
    assert response.status_code == 302
    record = _only_record(app)
    posted = record.pending["posted"]
    assert set(posted) <= {"medications", "medications.list", "alcohol_use"}
    limit = 2000
    assert len(posted["medications.list"]) == 1
    assert len(posted["medications.list"][0]) <= 2 * limit
    assert len(posted["alcohol_use"]) <= 3 and all(len(v) <= 64 for v in posted["alcohol_use"])
    assert len(repr(record.pending)) < 3 * limit + 2000
    assert "medications.list" not in record.answers
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Use 2,000 characters or fewer" in page


def test_a_text_at_its_limit_with_line_breaks_sent_as_crlf_is_accepted(app, client):
    """The textarea's maxlength counts a line break as one character; the browser sends two."""
    start(client)
    lines = "\r\n".join(["Sertraline 50 mg daily"] * 87)  # 1,914 on screen, 2,000 sent
    assert len(lines.replace("\r\n", "\n")) <= 2000 < len(lines) + 1
    response = post_step(client, "medicines", {
        "medications": "yes", "medications.list": lines, "medications.recent_change": "no",
        "medications_stopped": "no", "alcohol_use": "no", "alcohol_stopped": "no",
        "drug_use": "no", "sleep_deprivation": "no",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/questions/health"), response.headers
    stored = _only_record(app).answers["medications.list"][0]
    assert stored == lines.replace("\r\n", "\n")


@pytest.fixture
def limited(database_url, tmp_path):
    application = make_app(database_url, RATELIMIT_ENABLED=True)
    with application.app_context():
        limiter.reset()
    yield application
    with application.app_context():
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def _post_about_you(client, token: str, other: str):
    return client.post("/questions/about_you", data={
        "csrf_token": token, field("age_band"): "18_64", field("indication"): "other",
        field("indication.other"): other,
    })


def test_step_submits_are_rate_limited_per_screening_keeping_what_was_typed(limited):
    client = limited.test_client()
    start(client)
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    for n in range(60):
        assert _post_about_you(client, token, f"try {n}").status_code == 302, n
    refused = _post_about_you(client, token, "the last thing I typed")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "You have sent this page many times in a short while" in page
    assert "the last thing I typed" in page  # kept on the page, not lost
    assert 'name="csrf_token"' in page  # and it can be sent again
    assert _only_record(limited).answers["indication.other"] == ["try 59"]
    # Another patient behind the same address is not affected.
    other = limited.test_client()
    start(other)
    other_token = csrf(other.get("/questions/about_you").get_data(as_text=True))
    assert _post_about_you(other, other_token, "mine").status_code == 302
    # Reading pages is never limited.
    assert client.get("/questions/about_you").status_code == 200


def test_the_429_page_is_in_the_patients_language(limited):
    client = limited.test_client()
    start(client, lang="bg")
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    for _ in range(60):
        _post_about_you(client, token, "x")
    page = _post_about_you(client, token, "x").get_data(as_text=True)
    assert '<html lang="bg">' in page
    assert "Изпратихте тази страница много пъти" in page


def test_framed_step_submits_are_limited_and_the_key_holds_no_id(limited, tmp_path):
    _import(limited, tmp_path, CLINIC)
    client = _in_frame(limited)
    base = _framed_start(client, CLINIC["slug"], lang="en")
    token = csrf(client.get(f"{base}/questions/about_you").get_data(as_text=True))
    statuses = [
        client.post(f"{base}/questions/about_you",
                    data={"csrf_token": token, field("age_band"): "18_64"}).status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [302] * 60 and statuses[60] == 429
    keys = " ".join(map(str, limiter.storage.storage.keys()))
    assert _framed_id(base) not in keys
