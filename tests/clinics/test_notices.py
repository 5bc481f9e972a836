"""Messages after a redirect: flashed on the site, a short code in the URL inside a frame."""

from __future__ import annotations

from flask import g, get_flashed_messages

from screener.clinics.framed_urls import Frame
from screener.clinics.notices import NOTICE_ARG, NOTICES, flashed_messages, notice


def test_on_the_site_a_notice_is_flashed(app):
    with app.test_request_context("/"):
        assert notice("gone") == {}
        assert get_flashed_messages(with_categories=True) == [
            ("info", str(NOTICES["gone"].message))]


def test_inside_a_frame_a_notice_is_a_code_in_the_url(app):
    with app.test_request_context("/"):
        g.frame = Frame("a-clinic", "abc")
        assert notice("expired") == {NOTICE_ARG: "expired"}
        assert get_flashed_messages() == []
    with app.test_request_context(f"/?{NOTICE_ARG}=expired"):
        g.frame = Frame("a-clinic", "abc")
        assert flashed_messages(True) == [("error", str(NOTICES["expired"].message))]
        assert flashed_messages(True, ["info"]) == []


def test_an_unknown_code_shows_nothing(app):
    with app.test_request_context(f"/?{NOTICE_ARG}=<script>"):
        g.frame = Frame("a-clinic", "abc")
        assert flashed_messages() == []
