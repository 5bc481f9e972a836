"""The framed path's own CSRF protection: cookieless tokens, cross-site and opened-as-page."""

from __future__ import annotations

import pytest

from screener.clinics import frame_csrf
from screener.clinics.framed_urls import Frame
from screener.extensions import db
from screener.patient import storage
from tests.flow import csrf, field
from tests.views.test_clinics import FRAMED, clinic  # noqa: F401 - the fixture

pytestmark = pytest.mark.both_databases


def _framed_step(client, slug) -> str:
    entry = client.get(f"/c/{slug}/embed?lang=en", headers=FRAMED).get_data(as_text=True)
    begun = client.post(f"/c/{slug}/embed/start?lang=en", data={"csrf_token": csrf(entry)},
                        headers=FRAMED)
    assert begun.status_code == 303 and "/f/" in begun.headers["Location"]
    return begun.headers["Location"]


def test_a_wrong_token_on_a_framed_form_comes_back_with_the_answers_and_stores_nothing(
        app, clinic):  # noqa: F811
    client = app.test_client(use_cookies=False)
    url = _framed_step(client, clinic)
    response = client.post(url, data={"csrf_token": "forged", field("age_band"): "18_64"},
                           headers=FRAMED)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page and 'value="18_64" checked' in page.replace("\n", " ")
    with app.app_context():
        assert db.session.scalars(db.select(storage.Screening)).one().answers == {}


def test_a_framed_post_another_site_sent_is_refused(app, clinic):  # noqa: F811
    client = app.test_client(use_cookies=False)
    url = _framed_step(client, clinic)
    page = client.get(url, headers=FRAMED).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf(page), field("age_band"): "18_64"},
                           headers={**FRAMED, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_a_forged_entry_token_starts_nothing(app, clinic):  # noqa: F811
    client = app.test_client(use_cookies=False)
    response = client.post(f"/c/{clinic}/embed/start", data={"csrf_token": "forged"},
                           headers=FRAMED)
    assert response.status_code == 303 and "/embed" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalars(db.select(storage.Screening)).all() == []


def test_tokens_are_bound_to_their_screening_and_clinic(app):
    with app.test_request_context():
        assert frame_csrf.screening_token("a") != frame_csrf.screening_token("b")
        token = frame_csrf.entry_token("one-clinic")
        assert frame_csrf.entry_token_valid("one-clinic", token)
        assert not frame_csrf.entry_token_valid("another-clinic", token)
        assert not frame_csrf.entry_token_valid("one-clinic", "forged")


@pytest.mark.parametrize(("headers", "cross"), [
    ({}, False),
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, False),
    ({"Origin": "http://localhost"}, False),
    ({"Origin": "https://evil.example"}, True),
    ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, True),
    ({"Sec-Fetch-Site": "same-site"}, True),
])
def test_cross_site_post(app, headers, cross):
    with app.test_request_context("/", method="POST", headers=headers):
        assert frame_csrf.cross_site_post() is cross


def test_own_origin_behind_a_proxy_is_the_public_base_url(app):
    app.config["PUBLIC_BASE_URL"] = "https://screener.example.org/"
    with app.test_request_context("/", method="POST", base_url="http://10.0.0.5:8000",
                                  headers={"Origin": "https://screener.example.org"}):
        assert not frame_csrf.cross_site_post()
        assert frame_csrf._own_origin("https://screener.example.org")
        assert not frame_csrf._own_origin("http://screener.example.org")
        assert not frame_csrf._own_origin("https://evil.example")
        assert frame_csrf._own_origin("http://10.0.0.5:8000")
    app.config["PUBLIC_BASE_URL"] = None
    with app.test_request_context("/", method="POST", base_url="http://10.0.0.5:8000"):
        assert not frame_csrf._own_origin("https://screener.example.org")


def test_protect_refuses_outside_a_frame_and_accepts_the_frames_token(app):
    from flask import g
    from flask_wtf.csrf import CSRFError

    with (app.test_request_context("/", method="POST", data={"csrf_token": "x"}),
          pytest.raises(CSRFError)):
        frame_csrf.protect()
    with app.test_request_context("/", method="POST"):
        token = frame_csrf.screening_token("abc")
    with app.test_request_context("/", method="POST", data={"csrf_token": token}):
        g.frame = Frame("clinic", "abc")
        frame_csrf.protect()
        g.frame = Frame("clinic", "other")
        with pytest.raises(CSRFError):
            frame_csrf.protect()


def test_opened_as_page(app):
    with app.test_request_context("/", headers={"Sec-Fetch-Dest": "document"}):
        assert frame_csrf.opened_as_page()
    with app.test_request_context("/", headers={"Sec-Fetch-Dest": "iframe"}):
        assert not frame_csrf.opened_as_page()
