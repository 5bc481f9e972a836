"""screener.documents.pdf on its own: paper size, time zones, the URL fetcher's refusals,
identity fields, skipped-question sentences, the packaged font, and real WeasyPrint renders
going through the fetcher (hostile HTML, and the real summary's stylesheet and fonts)."""

from __future__ import annotations

import io
import os
import re
import threading
from datetime import UTC, datetime

import pdfplumber
import pytest
from fontTools.ttLib import TTFont

from screener.documents import pdf
from screener.engine.rules import evaluate
from screener.questionnaire.loader import load_registry
from tests.conftest import ROOT
from tests.documents.conftest import (
    MEDICINE_LINES,
    PACEMAKER_SEIZURE_BUPROPION,
    answers,
    font_names,
    open_pdf,
    recording_fetches,
    squash,
)


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


def test_fetcher_serves_the_print_stylesheet_and_the_packaged_fonts_only():
    fetcher = pdf.PackagedFilesFetcher()
    assert pdf.FONT_DIR is not None, "the packaged DejaVu Sans (matplotlib wheel) is missing"
    served = [pdf.STYLESHEET.as_uri()] + [face.url for face in pdf.font_faces()]
    assert len(served) == 1 + len(pdf.FONT_FILES)
    for url in served:
        fetcher.fetch(url).close()
    refused = [
        (pdf.PDF_ASSETS_DIR / "summary.html").as_uri(),  # a template, not a stylesheet
        (pdf.FONT_DIR / "LICENSE_DEJAVU").as_uri(),  # in the font folder, not a font
        (pdf.FONT_DIR.parent / "afm" / "pagd8a.afm").as_uri(),  # next to it
        (pdf.FONT_DIR.parent.parent / "matplotlibrc").as_uri(),
        f"{pdf.FONT_DIR.as_uri()}/../../matplotlibrc",
    ]
    for url in refused:
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)
    assert fetcher.asked == served + refused and fetcher.refused == refused


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


@pytest.mark.parametrize("variant", [None, pdf.PDF_VARIANT])
def test_weasyprint_fetches_only_through_the_fetcher_and_gets_refused(app, variant):
    with app.app_context(), recording_fetches() as seen:
        data = pdf.render_pdf(HOSTILE, variant=variant)
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


LONG_CLINIC = (
    "Regional Neuromodulation and Interventional Psychiatry Centre at the University Hospital "
    "St. Ivan Rilski, Department of Neurology and Psychiatry, Sofia"
)


def test_identity_fields_are_one_printable_line_cut_only_far_beyond_a_real_name():
    assert pdf.clean_identity(None) == ""
    assert pdf.clean_identity("  Ivan \n\t Petrov\x00\x1b[31m ") == "Ivan Petrov [31m"
    long_name = "Maria-Magdalena Konstantinova-Hristodoulopoulou Vasileva-Petrova " * 2
    assert pdf.clean_identity(long_name) == long_name.strip()
    assert pdf.clean_identity(LONG_CLINIC, pdf.MAX_CLINIC_LENGTH) == LONG_CLINIC
    cut = pdf.clean_identity("x" * 500)
    assert len(cut) == pdf.MAX_IDENTITY_LENGTH and cut.endswith("x…")


def test_a_long_clinic_name_wraps_in_full(app, questionnaire):
    evaluation = evaluate(questionnaire, answers())
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang="en", response={}, clinic=LONG_CLINIC)
        data = pdf.summary_pdf(doc)
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        words = page.extract_words()
        label = next(w for w in words if w["text"] == "For")  # "For the clinic"
        beside = next(  # "Date of screening", the next column on the same line
            w for w in words if w["text"] == "Date" and abs(w["top"] - label["top"]) < 1
        )
        cell = page.crop((0, label["top"], beside["x0"] - 1, label["top"] + 80)).extract_text()
    assert LONG_CLINIC in " ".join(cell.split())


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
    assert [d.drug.id for d in medications.drugs] == ["bupropion", "sertraline"]
    meds, stopped = doc.medications  # 1.1.0 asks for medicines stopped too: none here
    assert (stopped.row.item.link_id, stopped.lines) == ("medications_stopped.list", ())
    assert [(line.typed, [m.drug.id for m in line.matches]) for line in meds.lines] == [
        (MEDICINE_LINES[0], ["bupropion"]), (MEDICINE_LINES[1], ["sertraline"]),
        (MEDICINE_LINES[2], []),
    ]
    # the treatment history has its own block and is not repeated in the answer list
    listed = [row.item.link_id for block in doc.sections for row in block.rows]
    history = questionnaire.settings.history_items
    assert [row.item.link_id for row in doc.history] == list(history) == list(pdf.HISTORY_ITEMS)
    assert not set(history) & set(listed) and "self_harm" in listed
    assert [s.id for s in doc.references] == ["S1", "S2", "S3", "S4", "S5", "S6", "S10"]
    assert doc.page_size == "A4"


SKIPPED = {
    "en": {
        "antidepressant_trials": "Asked only when the answer to “What is the main reason you are "
        "considering TMS?” is “Depression” or “Depression with anxiety”; the answer was "
        "“Obsessive-compulsive disorder (OCD)”.",
        "neurostimulator.kind": "Asked only when the main answer is “Yes”; it was “No”.",
        "indication.other": "Asked only when the main answer is “Something else”; it was "
        "“Obsessive-compulsive disorder (OCD)”.",
    },
    "bg": {
        "antidepressant_trials": "Задава се само когато отговорът на „Каква е основната причина "
        "да обмисляте ТМС?“ е „Депресия“ или „Депресия с тревожност“; отговорът беше "
        "„Обсесивно-компулсивно разстройство (ОКР)“.",
        "neurostimulator.kind": "Задава се само когато основният отговор е „Да“; "
        "отговорът беше „Не“.",
        "indication.other": "Задава се само когато основният отговор е „Друго“; отговорът беше "
        "„Обсесивно-компулсивно разстройство (ОКР)“.",
    },
}


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_skipped_follow_ups_and_branches_say_why(app, questionnaire, lang):
    """Two conditions on one question make one list of answers, in the language's own quotes;
    the sentence says when the question would have been asked and what was answered."""
    evaluation = evaluate(questionnaire, answers({"indication": ["ocd"]}))
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang=lang, response={})
    rows = {row.item.link_id: row for block in doc.sections for row in block.rows}
    rows.update({row.item.link_id: row for row in doc.history})
    for link_id, sentence in SKIPPED[lang].items():
        assert not rows[link_id].asked
        assert rows[link_id].skipped_because == sentence, link_id
    assert rows["psychotherapy"].skipped_because == SKIPPED[lang]["antidepressant_trials"]
    for row in rows.values():
        assert "«" not in row.skipped_because and "→" not in row.skipped_because


def test_an_unanswered_condition_is_said_so(app, questionnaire):
    given = answers()
    del given["indication"]
    evaluation = evaluate(questionnaire, given)
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang="en", response={})
    rows = {row.item.link_id: row for row in doc.history}
    assert rows["antidepressant_trials"].skipped_because.endswith(
        "is “Depression” or “Depression with anxiety”; it was not answered."
    )


def test_dates_say_their_zone_and_paper_follows_the_country(app, questionnaire):
    evaluation = evaluate(questionnaire, answers())
    moment = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    with app.test_request_context():
        bulgarian = pdf.build_summary(
            evaluation, lang="bg", response={}, country="BG", screened_at=moment, copy="mine"
        )
        american = pdf.build_summary(evaluation, lang="en", response={}, country="US", now=moment)
        in_new_york = pdf.build_summary(
            evaluation, lang="en", response={}, country="US", now=moment,
            browser_zone="America/New_York", copy="clinic",
        )
        html = pdf.render_html(american)
    assert bulgarian.when(moment) == "15.01.2026\u202fг., 12:30 UTC+02:00"
    assert bulgarian.filename == "tms-screening-2026-01-15-my-copy-bg.pdf"
    # the US has several clocks: without the browser's zone the time stays UTC, said as such
    assert american.when(moment) == "Jan 15, 2026, 10:30 UTC"
    assert american.filename == "tms-screening-2026-01-15-en.pdf"
    assert in_new_york.when(moment) == "Jan 15, 2026, 05:30 UTC-05:00"
    assert in_new_york.filename == "tms-screening-2026-01-15-clinic-copy-en.pdf"
    assert american.page_size == "Letter" and "@page { size: Letter; }" in html
    assert bulgarian.page_size == "A4"


WINTER = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("browser", "country", "zone"),
    [
        ("Europe/Madrid", "BG", "Europe/Madrid"),  # the browser knows best
        ("America/Los_Angeles", None, "America/Los_Angeles"),
        ("UTC", "BG", "UTC"),
        (None, "BG", "Europe/Sofia"),
        (None, "bg", "Europe/Sofia"),
        (None, "GB", "Europe/London"),
        (None, "DE", "Europe/Berlin"),  # two zone names, one clock
        (None, "US", None),  # several clocks: UTC
        (None, "RU", None),
        (None, "XX", None),
        (None, None, None),
        ("Mars/Olympus_Mons", "BG", "Europe/Sofia"),
        ("../../../etc/passwd", "BG", "Europe/Sofia"),
        ("Europe/Sofia" + "x" * 100, None, None),
        ("", "DE", "Europe/Berlin"),
        (["Europe/Madrid"], None, None),
        (42, "BG", "Europe/Sofia"),
    ],
)
def test_time_zone_from_the_browser_then_the_country_then_utc(browser, country, zone):
    found = pdf.timezone_for(country, browser, WINTER)
    if zone is None:
        assert found is UTC
    else:
        assert getattr(found, "key", None) == zone


def test_no_flag_text_claims_what_the_patient_was_shown(app, questionnaire):
    """The engine's urgent text is true for any channel; only a screening made in the app,
    which showed crisis contacts on screen, says so in the PDF."""
    evaluation = evaluate(questionnaire, answers({"self_harm": ["yes"]}))
    [urgent] = [f for f in evaluation.flags if f.level == "urgent"]
    assert "shown" not in urgent.clinician.get_text("en")
    assert "показани" not in urgent.clinician.get_text("bg")
    with app.test_request_context():
        texts = {
            in_app: " ".join(
                open_pdf(
                    pdf.summary_pdf(
                        pdf.build_summary(evaluation, lang="en", response={}, in_app=in_app)
                    )
                ).pages[0].split()
            )
            for in_app in (True, False)
        }
    shown = "Crisis contacts were shown to the patient on screen when they gave this answer."
    assert shown in texts[True]
    assert "Crisis contacts" not in texts[False]
    assert "Assess risk before anything else." in texts[False]


def test_the_real_summary_reads_its_stylesheet_and_fonts_through_the_fetcher(app, questionnaire):
    """A fresh thread has a fresh font configuration, so WeasyPrint loads every @font-face;
    the PDF then embeds only our family, from the packaged files (their version, Cyrillic)."""
    evaluation = evaluate(questionnaire, answers(PACEMAKER_SEIZURE_BUPROPION))
    out: dict = {}

    def render():
        with app.test_request_context(), recording_fetches() as seen:
            out["pdf"] = pdf.summary_pdf(pdf.build_summary(evaluation, lang="bg", response={}))
        out["seen"] = seen

    thread = threading.Thread(target=render)
    thread.start()
    thread.join()
    seen = out["seen"]
    fonts = [face.url for face in pdf.font_faces()]
    assert sorted(seen.asked) == sorted([pdf.STYLESHEET.as_uri(), *fonts])
    assert seen.refused == []
    reader = open_pdf(out["pdf"]).reader
    names = font_names(reader)
    family = pdf.FONT_FAMILY.replace(" ", "-")
    assert names and all(name.startswith(family) for name in names), names
    assert {family, f"{family}-Bold"} <= names
    packaged = TTFont(pdf.FONT_DIR / "DejaVuSans.ttf")["name"].getDebugName(5)
    for program in _embedded_font_programs(reader):
        font = TTFont(io.BytesIO(program))
        assert font["name"].getDebugName(5) == packaged
    regular = TTFont(io.BytesIO(_embedded_font_programs(reader)[0]))
    assert any(0x0400 <= code <= 0x04FF for code in regular.getBestCmap())


def _embedded_font_programs(reader) -> list[bytes]:
    programs = {}
    for page in reader.pages:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            stream = descriptor.get_object()["/FontFile2"].get_object()
            programs[str(font["/BaseFont"])] = stream.get_data()
    return [programs[name] for name in sorted(programs, key=lambda n: ("Bold" in n, n))]


def test_font_configuration_is_reused_within_a_thread_only():
    import threading

    first = pdf.font_configuration()
    assert pdf.font_configuration() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
    thread.start()
    thread.join()
    assert other and other[0] is not first


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_every_flag_is_on_page_one_and_the_footer_speaks_the_copys_language(
        app, questionnaire, lang):
    """The standard scenario (a pacemaker, a seizure this year, bupropion): page 1's own text
    (pdfplumber) names every flag, and the Bulgarian copy's footer has no English word."""
    evaluation = evaluate(questionnaire, answers(PACEMAKER_SEIZURE_BUPROPION))
    with app.test_request_context():
        doc = pdf.build_summary(evaluation, lang=lang, response={})
        opened = open_pdf(pdf.summary_pdf(doc))
    first = squash(opened.pages[0])
    assert len(doc.flags) == 3
    for flag in doc.flags:
        assert squash(flag.top.text.get_text(lang))[:40] in first, (flag.top.link_id, first)
    if lang == "bg":
        for page in opened.pages:
            footer = squash(page.splitlines()[-1] if page else "")
            english = re.findall(r"\b(?:of|Page|page)\b", footer)
            assert not english, footer
            assert re.search(r"Страница \d+ от \d+", squash(page)), squash(page)[-200:]


@pytest.mark.parametrize(("lang", "extra_lines"), [("en", 2), ("en", 18), ("bg", 0), ("bg", 12)])
def test_the_sign_off_block_never_stands_alone_on_a_page(app, questionnaire, lang, extra_lines):
    """Medicine lists of these lengths once pushed "Clinician review" to the top of a page of
    its own: the page that holds it must also hold the treatment history before it."""
    lines = [*MEDICINE_LINES, *(f"Vitamin {i} 10 mg" for i in range(extra_lines))]
    given = answers({**PACEMAKER_SEIZURE_BUPROPION, "medications.list": ["\n".join(lines)]})
    with app.test_request_context():
        doc = pdf.build_summary(evaluate(questionnaire, given), lang=lang, response={})
        opened = open_pdf(pdf.summary_pdf(doc))
    review, history = {"en": ("Clinician review", "Treatment history"),
                       "bg": ("Преглед от лекаря", "Досегашно лечение")}[lang]
    page = next(squash(p) for p in opened.pages if review in squash(p))
    assert history in page and page.index(history) < page.index(review), page[:300]
