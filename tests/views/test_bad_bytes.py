"""Bad bytes (issue 12, item 6): control characters in any path, query or form value are refused
with 400 before any query (a NUL in a slug or framed id was a 500 on PostgreSQL), a HEAD never
runs a form's POST branch, a 405 under /api says what is allowed, and a form that is not UTF-8
gets a page saying so."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from screener.extensions import db
from screener.patient import model
from tests.flow import csrf, field, start
from tests.views.test_clinics import CLINIC, _framed_id, _framed_start, _import, _in_frame

pytestmark = pytest.mark.both_databases

BAD = ["%00", "%01", "%0A", "%1F", "%7F", "%C2%85", "%C2%9F"]
"""NUL, other C0 controls, a line feed, DEL and C1 controls (NEL, APC), percent-encoded."""


@pytest.fixture
def clinic(app, tmp_path):
    _import(app, tmp_path, CLINIC)
    return CLINIC["slug"]


@contextmanager
def statements(app):
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _refused(app, client, method: str, url: str, **kwargs):
    with statements(app) as seen:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code == 400, (url, response.status_code)
    assert seen == [], (url, seen)
    return response


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_a_clinic_slug_or_framed_id_are_refused_before_any_query(
    app, clinic, bad
):
    client = _in_frame(app)
    base = _framed_start(client, clinic)
    screening_id = _framed_id(base)
    for url in (
        f"/c/{clinic}{bad}",
        f"/c/{clinic}{bad}/embed",
        f"/c/{bad}/embed",
        f"/c/{clinic}{bad}/f/{screening_id}/questions/about_you",
        f"/c/{clinic}/f/{screening_id}{bad}/questions/about_you",
        f"/c/{clinic}/f/{bad}{screening_id}/check",
    ):
        page = _refused(app, client, "GET", url)
        assert "What was sent contains characters we cannot use" in page.get_data(as_text=True)
    token = csrf(client.get(f"{base}/questions/about_you").get_data(as_text=True))
    _refused(app, client, "POST", f"/c/{clinic}/f/{screening_id}{bad}/questions/about_you",
             data={"csrf_token": token, field("age_band"): "18_64"})


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_a_query_are_refused(app, client, bad):
    start(client)
    for url in (
        f"/questions/about_you?return={bad}",
        f"/questions/about_you?x{bad}=1",
        f"/?lang=en{bad}",
        f"/api/v1/questionnaire?version=1.0.0{bad}",
        f"/resume?error={bad}",
    ):
        response = _refused(app, client, "GET", url)
        if url.startswith("/api/"):
            assert response.mimetype == "application/problem+json"
    # The provider search and the directory API check their own parameters: a NUL is refused
    # naming the parameter, other control characters are dropped from the text searched.
    for url in (f"/providers?q=sofia{bad}", f"/api/v1/places?q=sof{bad}"):
        assert client.get(url).status_code in (200, 400), url
    places = client.get("/api/v1/places?q=sof%00")
    assert places.status_code == 400 and "q" in json.dumps(places.get_json())


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_a_form_value_are_refused_and_nothing_stored(app, client, bad):
    start(client)
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    with app.app_context():
        before = db.session.scalars(db.select(model.Screening)).one().answers
    _refused(app, client, "POST", "/questions/about_you", data={
        "csrf_token": token, field("age_band"): "18_64", field("indication"): "other",
        field("indication.other"): f"tinnitus{bad}and more",
    })
    _refused(app, client, "POST", "/questions/about_you", data={
        "csrf_token": token, f"age{bad}band": "18_64"})
    with app.app_context():
        assert db.session.scalars(db.select(model.Screening)).one().answers == before


def test_tabs_and_line_breaks_in_a_form_value_are_kept(app, client):
    start(client)
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    response = client.post("/questions/about_you", data={
        "csrf_token": token, field("age_band"): "18_64", field("indication"): "other",
        field("indication.other"): "one\tthing\r\nand another\nthird",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/questions/devices")
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert record.answers["indication.other"] == ["one\tthing\nand another\nthird"]


@pytest.mark.parametrize(
    "typed", [b"ab%FFcd", b"ab\xffcd", b"%C3%28", b"\xc3\x28", b"%ED%A0%80"],
    ids=["escaped byte", "raw byte", "escaped bad pair", "raw bad pair", "surrogate"],
)
def test_a_form_that_is_not_utf8_says_so(app, client, typed):
    start(client)
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    body = (b"csrf_token=" + token.encode() + b"&" + field("age_band").encode() + b"=18_64&"
            + field("indication").encode() + b"=other&" + field("indication.other").encode()
            + b"=" + typed)
    response = _refused(app, client, "POST", "/questions/about_you", data=body,
                        content_type="application/x-www-form-urlencoded")
    page = response.get_data(as_text=True)
    assert "What was sent could not be read" in page
    assert "UTF-8" in page
    assert "could not confirm" not in page.lower()
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert "age_band" not in record.answers


def test_the_not_utf8_page_is_in_bulgarian_too(app, client):
    start(client, lang="bg")
    token = csrf(client.get("/questions/about_you").get_data(as_text=True))
    response = client.post("/questions/about_you", data=b"csrf_token=" + token.encode()
                           + b"&x=%FF", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Изпратеното не можа да бъде прочетено" in response.get_data(as_text=True)


def test_head_on_a_step_page_runs_no_post_branch(app, client):
    start(client)
    get = client.get("/questions/about_you")
    with statements(app) as seen:
        head = client.head("/questions/about_you")
    assert head.status_code == get.status_code == 200
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) for s in seen)
    assert client.head("/check").status_code == 200
    assert client.head("/resume").status_code == 200


def test_head_on_a_framed_resume_page_runs_no_post_branch(app, clinic):
    client = _in_frame(app)
    for query in ("lang=en", "lang=en&error=not_found"):
        get = client.get(f"/c/{clinic}/embed/resume?{query}")
        head = client.head(f"/c/{clinic}/embed/resume?{query}")
        assert head.status_code == get.status_code, query
        assert head.headers.get("Location") == get.headers.get("Location"), query


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/evaluate", {"POST", "OPTIONS"}),
        ("PUT", "/api/v1/summary", {"POST", "OPTIONS"}),
        ("POST", "/api/v1/questionnaire", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/api/v1/places", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_a_405_under_api_carries_allow(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
