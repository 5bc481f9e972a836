"""Framed URLs keep the screening's id and the entry's language; the site's stay as they are."""

from __future__ import annotations

from flask import g

from screener.clinics.framed_urls import Frame, current_frame, entry_link, link, pull_frame


def test_outside_a_frame_links_are_the_sites(app):
    with app.test_request_context("/"):
        assert current_frame() is None
        assert link("screening.check") == "/check"
        assert entry_link() == "/"


def test_inside_a_frame_links_keep_the_screening(app):
    with app.test_request_context("/"):
        g.frame = Frame("a-clinic", "abc")
        assert link("screening.check") == "/c/a-clinic/f/abc/check"
        assert link("summary.pdf") == "/c/a-clinic/f/abc/summary.pdf"
        assert link("providers.search").startswith("/providers")  # not framed: unchanged
        assert entry_link().startswith("/c/a-clinic/embed")


def test_the_entry_keeps_the_language(app):
    with app.test_request_context("/"):
        g.frame, g.lang = Frame("a-clinic", None), "bg"
        assert link("screening.check") == "/check"  # no screening yet: nothing to keep
        assert entry_link() == "/c/a-clinic/embed?lang=bg"


def test_pull_frame_reads_the_prefix(app):
    with app.test_request_context("/"):
        values = {"slug": "a-clinic", "token": "abc", "section_id": "devices"}
        pull_frame("framed.step", values)
        assert current_frame() == Frame("a-clinic", "abc") and values == {"section_id": "devices"}
    with app.test_request_context("/"):
        pull_frame("clinics.embed_begin", {"slug": "a-clinic"})
        assert current_frame() == Frame("a-clinic", None)
    with app.test_request_context("/"):
        pull_frame("clinics.share", {"slug": "a-clinic"})
        assert current_frame() is None
