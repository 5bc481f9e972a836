"""Answers are health data: not in logs, not in cookies, gone when expired or deleted."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from flask.sessions import SecureCookieSessionInterface

from screener.extensions import db
from screener.patient import active as current
from screener.patient import model, resume_codes
from screener.timestamps import utcnow
from tests.flow import complete, start

pytestmark = pytest.mark.both_databases

SECRET_TEXTS = {
    "medications.list": "Zyxquil-9931 and bupropion 150mg",
    "syncope.details": "faints-when-standing-4242",
    "indication.other": "unique-indication-7777",
}


def test_whole_flow_at_debug_leaves_no_answer_in_any_log(client, app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        complete(
            client,
            {
                "about_you": {"indication": "other",
                              "indication.other": SECRET_TEXTS["indication.other"]},
                "seizures": {"syncope": "yes", "syncope.details": SECRET_TEXTS["syncope.details"]},
                "medicines": {"medications": "yes",
                              "medications.list": SECRET_TEXTS["medications.list"],
                              "medications.recent_change": "unsure"},
                "treatment": {"self_harm": "unsure"},
            },
        )
        client.get("/questions/not-a-step")  # an error path logs too
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logged = stream.getvalue()
    assert logged, "nothing was logged at DEBUG: the test would prove nothing"
    for text in SECRET_TEXTS.values():
        assert text not in logged
    assert "Zyxquil" not in logged
    for link_id in ("self_harm", "syncope.details", "medications.recent_change"):
        assert f'"{link_id}"' not in logged and f"'{link_id}'" not in logged


def _logged_requests(app, answers) -> list[str]:
    """The log lines and visited addresses of one whole screening, at DEBUG."""
    client = app.test_client()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    visited: list[str] = []
    original = client.open

    def recording_open(*args, **kwargs):
        response = original(*args, **kwargs)
        location = response.headers.get("Location", "")
        visited.append(f"{response.request.method} {response.request.full_path} {location}")
        return response

    client.open = recording_open
    try:
        complete(client, answers)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    lines = [line for line in stream.getvalue().splitlines() if "screener.requests" in line
             or "->" in line]
    return lines + visited


def test_an_urgent_answer_leaves_the_same_trace_as_any_other(app):
    """Access logs hold addresses: the crisis help must not have an address of its own."""
    calm = _logged_requests(app, {"treatment": {"self_harm": "no"}})
    urgent = _logged_requests(app, {"treatment": {"self_harm": "yes"}})
    assert any("/check" in line for line in calm)
    assert calm == urgent


def test_cookie_holds_only_an_opaque_id(client, app):
    complete(client, {"medicines": {"medications": "yes",
                                    "medications.list": SECRET_TEXTS["medications.list"],
                                    "medications.recent_change": "no"}})
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(cookie.value)
    assert set(data) <= {current.SESSION_ID, current.SESSION_CODE, current.SESSION_LANG,
                         "csrf_token", "_flashes"}
    assert "Zyxquil" not in json.dumps(data)


def test_purge_command_deletes_only_expired(app, client, runner):
    start(client)
    other = app.test_client()
    start(other)
    with app.app_context():
        first, second = db.session.scalars(db.select(model.Screening)).all()
        first.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        keep = second.id
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "purged 1" in result.output
    with app.app_context():
        assert [s.id for s in db.session.scalars(db.select(model.Screening))] == [keep]


def test_expired_answers_are_purged_lazily_on_requests(app, client):
    start(client)
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    current._last_purge[0] = 0.0
    app.test_client().get("/")  # someone else's request
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(model.Screening)) == 0


def test_retention_is_configurable(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, RETENTION=timedelta(hours=2))
    client = app.test_client()
    start(client)
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        left = record.expires_at - utcnow()
        assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)


def test_resume_code_is_stored_only_as_a_hash(app, client):
    start(client)
    with client.session_transaction() as session:
        code = session[current.SESSION_CODE]
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert code not in (record.resume_hash or "")
        assert record.resume_hash == resume_codes.digest(code, app.config["SECRET_KEY"])
