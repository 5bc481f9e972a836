"""screener.pdf on its own: paper size, the URL fetcher's refusals, identity fields, and a real
WeasyPrint render of hostile HTML going through the fetcher."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from screener import pdf
from screener.questionnaire.loader import load_registry
from screener.rules import evaluate
from tests.conftest import ROOT
from tests.pdf.conftest import PACEMAKER_SEIZURE_BUPROPION, answers, open_pdf, recording_fetches


@pytest.mark.parametrize(
    ("lang", "country", "expected"),
    [
        ("en", None, "A4"),
        ("bg", None, "A4"),
        ("bg", "BG", "A4"),
        ("en", "GB", "A4"),
        ("en", "DE", "A4"),
        ("en", "US", "Letter"),
        ("en", "us", "Letter"),
        ("en", "CA", "Letter"),
        ("en", "MX", "Letter"),
        ("en", "PH", "Letter"),
        ("en_US", None, "Letter"),
        ("en-CA", None, "Letter"),
        ("en-GB", None, "A4"),
        ("en_US", "BG", "A4"),  # the clinic's country wins over the locale's region
        ("en", "", "A4"),
    ],
)
def test_page_size_for(lang, country, expected):
    assert pdf.page_size_for(lang, country) == expected


STATIC = pdf.STATIC_DIR


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.png",
        "HTTP://EXAMPLE.COM/x.png",
        "//example.com/x.png",
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        f"file://example.com{STATIC}/app.css",
        f"{STATIC.as_uri()}/../pdf.py",
        f"{STATIC.as_uri()}/%2e%2e/pdf.py",
        f"{STATIC.parent.as_uri()}/pdf.py",
        f"{STATIC.as_uri()}/no-such-file.css",
        f"{STATIC.as_uri()}/",
        "data:text/plain,hello",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "app.css",
        "",
    ],
)
def test_fetcher_refuses_everything_but_packaged_static_files(url):
    fetcher = pdf.PackagedFilesFetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.asked == [url] and fetcher.refused == [url]


def test_fetcher_serves_a_packaged_static_file():
    fetcher = pdf.PackagedFilesFetcher()
    url = f"{STATIC.as_uri()}/app.css"
    response = fetcher.fetch(url)
    try:
        assert response.content_type == "text/css"
        assert response.read() == (STATIC / "app.css").read_bytes()
    finally:
        response.close()
    assert fetcher.asked == [url] and fetcher.refused == []


def test_fetcher_refuses_a_symlink_out_of_its_root(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "innocent.css")
    (root / "ok.css").write_text("p {}")
    fetcher = pdf.PackagedFilesFetcher(root)
    assert fetcher.local_path(f"{root.as_uri()}/ok.css") == (root / "ok.css").resolve()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(f"{root.as_uri()}/innocent.css")


HOSTILE = """<!doctype html><html lang="en"><head><title>t</title>
<link rel="stylesheet" href="https://example.com/evil.css">
<style>@import url("file:///etc/passwd"); body { background: url(http://example.com/bg.png) }
@font-face { font-family: X; src: url(https://example.com/x.woff2) } p { font-family: X }</style>
</head><body><p>Hello</p><img src="http://example.com/x.png"><img src="file:///etc/hostname">
<img src="data:image/png;base64,iVBORw0KGgo="><iframe src="http://example.com/"></iframe>
<object data="file:///etc/passwd"></object><img src="../pdf.py"><img src="app.css"></body></html>"""


def test_weasyprint_fetches_only_through_the_fetcher_and_gets_refused(app):
    with app.app_context(), recording_fetches() as seen:
        data = pdf.render_pdf(HOSTILE, variant=None)
    assert open_pdf(data).text.strip().startswith("Hello")
    assert seen.renders == 1
    assert seen.asked, "WeasyPrint asked for nothing: the fetcher was not in the path"
    outside = [url for url in seen.asked if not url.startswith(STATIC.as_uri() + "/")]
    assert outside and set(outside) <= set(seen.refused)
    assert "https://example.com/evil.css" in seen.refused
    assert "http://example.com/x.png" in seen.refused
    assert any(url.endswith("/etc/passwd") for url in seen.refused)
    # relative references resolve inside the static folder; only real files there are served
    assert f"{STATIC.as_uri()}/pdf.py" not in seen.asked
    assert f"{STATIC.parent.as_uri()}/pdf.py" in seen.refused


def test_identity_fields_are_one_printable_line_and_capped():
    assert pdf.clean_identity(None) == ""
    assert pdf.clean_identity("  Ivan \n\t Petrov\x00\x1b[31m ") == "Ivan Petrov [31m"
    assert len(pdf.clean_identity("x" * 500)) == pdf.MAX_IDENTITY_LENGTH


@pytest.fixture(scope="module")
def questionnaire():
    return load_registry(str(ROOT / "questions")).current


def test_summary_keeps_flags_in_level_order_and_groups_a_question(app, questionnaire):
    evaluation = evaluate(questionnaire, answers(PACEMAKER_SEIZURE_BUPROPION))
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang="en", response={})
    assert [(d.top.link_id, d.level) for d in doc.flags] == [
        ("cardiac_device", "contraindication"),
        ("seizure_history", "caution"),
        ("medications", "caution"),
    ]
    medications = doc.flags[2]
    assert [r.item.link_id for r in medications.rows] == [
        "medications", "medications.list", "medications.recent_change",
    ]
    assert [d.drug.id for d in medications.drugs] == ["bupropion"]
    [meds] = doc.medications
    assert [(line.typed, [m.drug.id for m in line.matches]) for line in meds.lines] == [
        ("Bupropion XL 150mg", ["bupropion"])
    ]
    assert [s.id for s in doc.references] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert doc.page_size == "A4"


def test_skipped_follow_ups_and_branches_say_why(app, questionnaire):
    evaluation = evaluate(questionnaire, answers({"indication": ["ocd"]}))
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang="en", response={})
    rows = {row.item.link_id: row for block in doc.sections for row in block.rows}
    kind = rows["neurostimulator.kind"]
    assert not kind.asked and kind.skipped_because == "the main answer was “No”"
    trials = rows["antidepressant_trials"]
    assert not trials.asked and "What is the main reason" in trials.skipped_because
    assert "Obsessive-compulsive disorder" in trials.skipped_because


def test_dates_say_their_zone_and_paper_follows_the_country(app, questionnaire):
    evaluation = evaluate(questionnaire, answers())
    moment = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    with app.test_request_context():
        bulgarian = pdf.build_summary(
            evaluation, lang="bg", response={}, country="BG", screened_at=moment
        )
        american = pdf.build_summary(evaluation, lang="en", response={}, country="US", now=moment)
        html = pdf.render_html(american)
    assert bulgarian.when(moment) == "15.01.2026\u202fг., 12:30 UTC+02:00"
    assert bulgarian.filename == "tms-screening-2026-01-15.pdf"
    assert american.when(moment) == "Jan 15, 2026, 10:30 UTC"
    assert american.page_size == "Letter" and "@page { size: Letter; }" in html
    assert bulgarian.page_size == "A4"


def test_font_configuration_is_reused_within_a_thread_only():
    import threading

    first = pdf.font_configuration()
    assert pdf.font_configuration() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
    thread.start()
    thread.join()
    assert other and other[0] is not first
