"""The summary as a patient and a clinic's system get it: real requests, real PDFs opened with
pypdf and pdfplumber, the attached QuestionnaireResponse validated and sent back to the API."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screener.documents import pdf
from screener.extensions import db
from screener.patient import screenings
from screener.timestamps import utcnow
from screener.views.summary import _clinic_line
from tests import factories
from tests.documents.conftest import (
    MEDICINE_LINES,
    PACEMAKER_SEIZURE_BUPROPION,
    VERSION,
    answers,
    client_for,
    create_screening,
    open_pdf,
    recording_fetches,
    squash,
)
from tests.flow import csrf

MAX_PAGES = 4
"""Questionnaire 1.1.0 asks nine more questions than 1.0.1 (clinical reference, round 2): the
full answer list of a flagged screening now runs to a fourth page (the references). Was 3."""

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
INJECTION = '<img src="http://example.com/x.png"><link rel="stylesheet" href="file:///etc/passwd">'

FLAG_QUESTIONS_EN = (
    "Do you have a pacemaker, a defibrillator",
    "Have you ever had epilepsy, a seizure or a fit",
    "Do you take any medicines now",
)
FLAG_QUESTIONS_BG = (
    "Имате ли пейсмейкър, дефибрилатор",
    "Имали ли сте някога епилепсия",
    "Приемате ли в момента някакви лекарства",
)


@pytest.fixture(scope="module")
def scenario(app):
    """A patient with a pacemaker, a seizure last year and bupropion: the English patient's own
    copy, the Bulgarian copy for the clinic, and a Bulgarian patient's own copy."""
    given = answers(PACEMAKER_SEIZURE_BUPROPION)
    en_id = create_screening(app, given, lang="en")
    bg_id = create_screening(app, given, lang="bg")
    out = {}
    with recording_fetches() as seen:
        client = client_for(app, en_id)
        out["en"] = client.get("/summary.pdf")
        out["clinic_bg"] = client.get("/summary.pdf?lang=bg")
        out["en_after"] = client.get("/summary.pdf")
        out["bg"] = client_for(app, bg_id).get("/summary.pdf")
    with app.app_context():
        out["en_record_language"] = screenings.live(en_id).language
    out["fetches"] = seen
    out["opened"] = {copy: open_pdf(out[copy].data) for copy in ("en", "bg", "clinic_bg")}
    return out


@pytest.mark.parametrize(
    ("copy", "name"), [("en", "my-copy-en"), ("bg", "my-copy-bg"), ("clinic_bg", "clinic-copy-bg")]
)
def test_pdf_is_an_attachment_never_cached_dated_and_named_by_copy(scenario, copy, name):
    response = scenario[copy]
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    today = utcnow().date()
    dates = {(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}  # near midnight
    disposition = response.headers["Content-Disposition"]
    found = re.fullmatch(rf'attachment; filename="tms-screening-(\d{{4}}-\d\d-\d\d)-{name}\.pdf"',
                         disposition)
    assert found, disposition
    assert found.group(1) in dates
    assert response.headers["Cache-Control"] == "no-store"


def test_english_copy_has_the_three_flags_on_page_one_before_the_answers(scenario):
    opened = scenario["opened"]["en"]
    assert 2 <= len(opened.pages) <= MAX_PAGES
    first = squash(opened.pages[0])
    for question in FLAG_QUESTIONS_EN:
        assert question in first
    text = squash(opened.text)
    flags_at = text.index("Flags, most serious first")
    answers_at = text.index("All answers")
    positions = [text.index(q, flags_at) for q in FLAG_QUESTIONS_EN]
    assert flags_at < positions[0] < positions[1] < positions[2] < answers_at
    # level order: the contraindication's tag comes before either caution's
    contraindication = text.index("Possible contraindication", flags_at)
    caution = text.index("Discuss with the clinician", flags_at)
    assert contraindication < positions[0] < caution < positions[1]
    assert "Pacemaker" in first and "In the last 12 months" in first
    assert all(line in first for line in MEDICINE_LINES)
    # the matched drugs are named in the flag's reason (the wording itself is the engine's)
    reason = first[first.index("Why it matters: Medicine"):]
    assert "bupropion (" in reason and "sertraline (" in reason
    # follow-ups are named for the clinician, not by the instruction the patient read
    assert "Heart device Pacemaker" in first and "Medicines and doses Bupropion" in first
    assert "Choose all that apply" not in first and "Please list them" not in first


FLAG_LABELS = {
    "en": ("Discuss with the clinician", "Medicines and doses", "All answers",
           "Medicines as typed by the patient", "As typed",
           "Not in the seizure-threshold drug table"),
    "bg": ("Обсъдете с лекаря", "Лекарства и дози", "Всички отговори",
           "Лекарства, както са въведени от пациента", "Както е въведено",
           "Не е в таблицата с лекарства, влияещи на гърчовия праг"),
}


@pytest.mark.parametrize(("copy", "lang"), [("en", "en"), ("bg", "bg"), ("clinic_bg", "bg")])
def test_three_pages_at_most_flags_on_page_one_tags_on_rows(scenario, copy, lang):
    """The realistic three-line medicine list: 2-3 pages, every flag on page 1, the medicines
    table on one page, the level tag on the answer's row, and only matched lines matched."""
    tag, label, answers_title, meds_title, as_typed, unmatched = FLAG_LABELS[lang]
    opened = scenario["opened"][copy]
    assert 2 <= len(opened.pages) <= MAX_PAGES
    first = squash(opened.pages[0])
    for question in FLAG_QUESTIONS_EN if lang == "en" else FLAG_QUESTIONS_BG:
        assert question in first
    assert first.index(FLAG_QUESTIONS_EN[0] if lang == "en" else FLAG_QUESTIONS_BG[0]) < (
        first.index(answers_title) if answers_title in first else len(first)
    )
    lines = [line for page in opened.pages for line in page.splitlines()]
    for line in lines:
        if MEDICINE_LINES[2] in line:  # ibuprofen: not in the table, and never tagged
            assert tag not in line, line
    text = squash(opened.text)
    listed = text[text.index(answers_title):text.index(meds_title)]
    assert f"{tag} {label} {' '.join(MEDICINE_LINES)}" in listed
    # the medicines table sits on one page: heading, header and every typed line
    [page] = [p for p in opened.pages if meds_title in p]
    table = squash(page[page.index(meds_title):])
    assert as_typed in table and all(line in table for line in MEDICINE_LINES)
    assert f"{MEDICINE_LINES[2]} {unmatched}" in table
    # the treatment history is printed once
    history_question = "How many antidepressant" if lang == "en" else "Колко антидепресанта"
    assert text.count(history_question) == 1


def test_english_copy_says_what_a_clinician_needs(scenario):
    text = squash(scenario["opened"]["en"].text)
    for expected in (
        "TMS safety screening summary",
        "Patient name",
        "Date of birth",
        f"TMS safety screening {VERSION}",
        "Re-check them with the patient before the first session",
        "Medicines as typed by the patient",
        "Treatment history",
        "How many antidepressant medicines have you tried",
        "Have you tried talking therapy",
        "Clinician review",
        "Reviewed by",
        "Cleared with precautions",
        "Not cleared",
        "More information needed",
        "Clinician's signature",
        f"Page 1 of {len(scenario['opened']['en'].pages)}",
        "Not a diagnosis",
        "References",
        "Rossi S, Hallett M, Rossini PM, Pascual-Leone A; Safety of TMS Consensus Group",
    ):
        assert expected in text, expected


def test_skipped_questions_say_why_never_blank_or_no(scenario):
    text = squash(scenario["opened"]["en"].text)
    assert "Kind of stimulator Not asked. Asked only when the main answer is “Yes”; it was " \
        "“No”." in text
    assert "Other reason Not asked. Asked only when the main answer is “Something else”; it " \
        "was “Depression”." in text
    assert "Not answered" not in text


def test_metadata_and_tags(scenario):
    reader = scenario["opened"]["en"].reader
    info = reader.metadata
    assert info["/Title"] == "TMS safety screening summary"
    assert info["/Author"] == "TMS Screener"
    assert info["/CreationDate"].startswith("D:" + utcnow().strftime("%Y"))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert reader.pdf_header == "%PDF-1.7"
    bg_root = scenario["opened"]["bg"].reader.trailer["/Root"]
    assert bg_root["/Lang"] == "bg"


@pytest.mark.parametrize("copy", ["bg", "clinic_bg"])
def test_bulgarian_copy_extracts_as_cyrillic_with_flags_on_page_one(scenario, copy):
    opened = scenario["opened"][copy]
    assert 2 <= len(opened.pages) <= MAX_PAGES
    first = squash(opened.pages[0])
    for question in FLAG_QUESTIONS_BG:
        assert question in first
    assert "Възможно противопоказание" in first
    assert "Пейсмейкър" in first
    assert len(CYRILLIC.findall(opened.text)) > 1000
    assert "\ufffd" not in opened.text and "(cid:" not in opened.text


def test_clinic_copy_leaves_the_patients_language_alone(scenario):
    assert scenario["en_record_language"] == "en"
    text = squash(open_pdf(scenario["en_after"].data).pages[0])
    assert FLAG_QUESTIONS_EN[0] in text


def test_attachment_is_a_valid_questionnaire_response_that_round_trips(app, scenario):
    client = app.test_client()
    for copy in ("en", "bg"):
        data = scenario["opened"][copy].attachment()
        resource = QuestionnaireResponse.model_validate(data)
        assert resource.status == "completed" and resource.language == copy
        assert data["questionnaire"] == f"urn:tms-screener:questionnaire:tms-safety|{VERSION}"
        evaluated = client.post("/api/v1/evaluate", json=data)
        assert evaluated.status_code == 200, evaluated.get_data(as_text=True)
        result = evaluated.get_json()
        assert result["outcome"] == "contraindication"
        assert [(f["linkId"], f["level"]) for f in result["flags"]] == [
            ("cardiac_device.kind", "contraindication"),
            ("seizure_history", "caution"),
            ("medications.list", "caution"),
        ]
        assert result["dropped"] == []


PACKAGED = {pdf.STYLESHEET.as_uri(), *(face.url for face in pdf.font_faces())}


def test_nothing_was_fetched_from_outside_the_app(scenario):
    """Every render reads its stylesheet through the fetcher (the fonts once per font
    configuration), and nothing else."""
    seen = scenario["fetches"]
    assert seen.renders == 4
    assert seen.asked.count(pdf.STYLESHEET.as_uri()) == 4
    assert set(seen.asked) <= PACKAGED
    assert seen.refused == []


def test_typed_markup_is_printed_as_text_and_never_fetched(app):
    given = answers(
        {
            **PACEMAKER_SEIZURE_BUPROPION,
            "medications.list": [f"Bupropion XL 150mg\n{INJECTION}"],
        }
    )
    client = client_for(app, create_screening(app, given))
    with recording_fetches() as seen:
        response = client.get("/summary.pdf")
    assert response.status_code == 200
    assert seen.renders == 1 and seen.refused == []
    assert pdf.STYLESHEET.as_uri() in seen.asked and set(seen.asked) <= PACKAGED
    text = squash(open_pdf(response.data).text)
    assert '<img src="http://example.com/x.png">' in text
    assert 'href="file:///etc/passwd">' in text


def test_name_and_date_of_birth_go_into_that_pdf_only(app, caplog):
    screening_id = create_screening(app, answers(PACEMAKER_SEIZURE_BUPROPION))
    client = client_for(app, screening_id)
    results = client.get("/results").get_data(as_text=True)
    name, dob = "Zlatka Testova-4417", "03 09 1961"
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/summary.pdf",
            data={"csrf_token": csrf(results), "name": name, "dob": dob, "lang": "bg"},
        )
    assert caplog.records, "nothing was logged at DEBUG: the test would prove nothing"
    assert response.status_code == 200
    opened = open_pdf(response.data)
    first = squash(opened.pages[0])
    assert name in first and dob in first
    assert CYRILLIC.search(first)
    assert name not in json.dumps(opened.attachment(), ensure_ascii=False)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert name not in logged and "Testova" not in logged and dob not in logged
    with app.app_context():
        record = screenings.live(screening_id)
        stored = json.dumps([record.answers, record.language, record.clinic_slug, record.place])
        assert "Testova" not in stored and record.language == "en"
        engine_url = db.engine.url
    if engine_url.database:
        with open(engine_url.database, "rb") as database_file:
            assert b"Testova" not in database_file.read()
    # and the next PDF has blank lines again
    again = client.post("/summary.pdf", data={"csrf_token": csrf(results)})
    assert "Testova" not in squash(open_pdf(again.data).pages[0])
    # a name in a link is not printed: it would be in the history and in access logs
    linked = client.get("/summary.pdf?name=Zlatka+Testova-4417&dob=03+09+1961")
    assert "Testova" not in squash(open_pdf(linked.data).pages[0])


def test_no_concerns_is_not_a_clearance_and_nothing_is_left_blank(app):
    client = client_for(app, create_screening(app, answers()))
    opened = open_pdf(client.get("/summary.pdf").data)
    text = squash(opened.text)
    assert "No safety concerns reported" in text and "Not a clearance" in text
    assert "No answer raised a flag." in text
    assert "Medicines and doses Not asked. Asked only when the main answer is “Yes”; it was " \
        "“No”." in text
    assert "No flag was raised, so no source is cited." in text
    assert "Not answered" not in text


CLINIC = {
    "slug": "pdf-test-clinic", "name": "Dr. Example", "clinic": "Sofia Mind Clinic",
    "city": "Sofia", "country": "BG", "lat": 42.6977, "lon": 23.3219, "languages": ["bg", "en"],
    "conditions": ["depression"], "tms_types": ["rtms-10hz"], "accepting_new_patients": True,
    "remote_consultation": False, "last_verified": "2026-10-01",
    "embed_origins": ["https://www.clinic-example.bg"], "language": "bg",
}


def test_framed_summary_is_addressed_to_the_clinic_and_needs_no_cookie(app, tmp_path):
    from screener.directory import importer

    path = tmp_path / "clinic.json"
    path.write_text(json.dumps([CLINIC]), encoding="utf-8")
    with app.app_context():
        importer.import_file(path)
        screening_id = factories.screening(
            answers(PACEMAKER_SEIZURE_BUPROPION), version=VERSION, clinic_slug=CLINIC["slug"],
            completed=True,
        ).screening.id
    client = app.test_client(use_cookies=False)
    base = f"/c/{CLINIC['slug']}/f/{screening_id}"
    response = client.get(f"{base}/summary.pdf?lang=bg")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "clinic-copy-bg.pdf" in response.headers["Content-Disposition"]
    first = squash(open_pdf(response.data).pages[0])
    # the name already says the city: it is not repeated
    assert "Sofia Mind Clinic" in first and "Sofia Mind Clinic, Sofia" not in first
    assert FLAG_QUESTIONS_BG[0] in first
    assert "UTC+02:00" in first or "UTC+03:00" in first  # the clinic's local time
    with app.app_context():
        assert screenings.live(screening_id).language == "en"
    assert client.get(f"{base}/summary.json").get_json(force=True)["language"] == "en"
    elsewhere = client.get(f"/c/{CLINIC['slug']}/f/not-a-screening/summary.pdf")
    assert elsewhere.status_code == 302 and "m=gone" in elsewhere.headers["Location"]


def test_pdf_post_needs_a_csrf_token(app):
    client = client_for(app, create_screening(app, answers()))
    response = client.post("/summary.pdf", data={"name": "x"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("Sofia Mind Clinic", "Sofia", "Sofia Mind Clinic"),
        ("Bright Hill Clinic Sofia (sample)", "Sofia", "Bright Hill Clinic Sofia (sample)"),
        ("Клиника „Света Анна“ – София", "София", "Клиника „Света Анна“ – София"),
        ("Dr. Example", "Sofia", "Dr. Example, Sofia"),
        ("Sofiapol Clinic", "Sofia", "Sofiapol Clinic, Sofia"),  # a word, not a fragment
        ("Dr. Example", "", "Dr. Example"),
    ],
)
def test_clinic_line_says_the_city_once(name, city, expected):
    assert _clinic_line(name, city) == expected


def test_results_page_offers_both_copies_the_fhir_file_and_the_optional_fields(app):
    client = client_for(app, create_screening(app, answers(), lang="en"))
    html = client.get("/results").get_data(as_text=True)
    assert 'action="/summary.pdf"' in html and 'method="post"' in html
    assert 'name="copy" value="mine">Download my copy (PDF)' in html
    # no clinic named: the second copy is "in Bulgarian", not "for the clinic"
    assert 'name="copy" value="other">Copy in Bulgarian (PDF)' in html
    assert "Copy for the clinic" not in html
    assert '<input type="hidden" name="tz" value="" data-timezone>' in html
    assert 'src="/static/summary.js"' in html
    assert "resolvedOptions().timeZone" in client.get("/static/summary.js").get_data(as_text=True)
    assert 'href="/summary.json"' in html
    for field_id, name in (("summary-name", "name"), ("summary-dob", "dob")):
        assert f'<label for="{field_id}">' in html
        field = rf'<input type="text" id="{field_id}" name="{name}"[^>]*autocomplete="off"'
        assert re.search(field, html)
    assert 'aria-describedby="summary-identity-hint"' in html and "never saved" in html
    # the date-of-birth field asks for what its hint shows: day, month, year in that order
    assert ">Date of birth (day, month, year)</label>" in html and "27 3 1985" in html
    bg = client_for(app, create_screening(app, answers(), lang="bg"))
    html = bg.get("/results").get_data(as_text=True)
    assert 'name="copy" value="mine">' in html and 'name="copy" value="other">' in html
    html = bg.get("/results?lang=bg").get_data(as_text=True)
    assert ">Дата на раждане (ден, месец, година)</label>" in html and "27.03.1985" in html


def test_copies_are_named_apart_and_a_same_language_clinic_gets_no_duplicate(app):
    client = client_for(app, create_screening(app, answers(), lang="en"))
    results = client.get("/results").get_data(as_text=True)
    names = {}
    for copy in ("mine", "clinic"):
        response = client.post("/summary.pdf", data={"csrf_token": csrf(results), "copy": copy})
        assert response.status_code == 200
        names[copy] = response.headers["Content-Disposition"]
        assert open_pdf(response.data).reader.trailer["/Root"]["/Lang"] == (
            "en" if copy == "mine" else "bg"
        )
    assert names["mine"].endswith('-my-copy-en.pdf"')
    assert names["clinic"].endswith('-clinic-copy-bg.pdf"')


def test_a_clinic_reading_the_patients_language_gets_my_copy_and_the_other_language(app, tmp_path):
    from screener.directory import importer

    clinic = {**CLINIC, "slug": "pdf-same-language", "name": "Dr. Same", "language": "bg"}
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps([clinic]), encoding="utf-8")
    with app.app_context():
        importer.import_file(path)
        screening_id = factories.screening(
            answers(), version=VERSION, language="bg", clinic_slug=clinic["slug"], completed=True
        ).screening.id
    client = client_for(app, screening_id)
    html = client.get("/results").get_data(as_text=True)
    assert html.count('name="copy"') == 2
    assert 'name="copy" value="mine">' in html and 'name="copy" value="other">' in html
    assert 'value="clinic"' not in html
    other = client.post("/summary.pdf", data={"csrf_token": csrf(html), "copy": "other"})
    assert other.headers["Content-Disposition"].endswith('-copy-en.pdf"')
    assert open_pdf(other.data).reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("America/New_York", "UTC-05:00"), ("Asia/Kolkata", "UTC+05:30"), ("Nowhere/Land", "UTC")],
)
def test_dates_follow_the_zone_the_browser_sent(app, zone, expected):
    """An English screening with no place and no clinic: the browser's zone when it is a real
    one, otherwise UTC, named as such."""
    client = client_for(app, create_screening(app, answers(), lang="en"))
    results = client.get("/results").get_data(as_text=True)
    response = client.post(
        "/summary.pdf", data={"csrf_token": csrf(results), "copy": "mine", "tz": zone}
    )
    assert response.status_code == 200
    first = squash(open_pdf(response.data).pages[0])
    found = re.findall(r"\d\d:\d\d (UTC[+-]?[\d:]*)", first)
    assert found and set(found) <= {expected, "UTC-04:00"}, found  # New York in summer


def test_only_the_apps_own_screenings_say_crisis_contacts_were_shown(app):
    given = answers({"self_harm": ["yes"]})
    client = client_for(app, create_screening(app, given))
    in_app = squash(open_pdf(client.get("/summary.pdf").data).pages[0])
    body = client.get("/summary.json").get_json(force=True)
    uploaded = app.test_client().post(
        "/api/v1/summary", data=json.dumps(body), content_type="application/fhir+json"
    )
    from_api = squash(open_pdf(uploaded.data).pages[0])
    shown = "Crisis contacts were shown to the patient on screen"
    assert shown in in_app and shown not in from_api
    for text in (in_app, from_api):
        assert "Assess risk before anything else." in text


def test_fhir_download(app):
    screening_id = create_screening(app, answers(PACEMAKER_SEIZURE_BUPROPION), lang="bg")
    client = client_for(app, screening_id)
    response = client.get("/summary.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="tms-screening-\d{4}-\d\d-\d\d-bg\.json"',
        response.headers["Content-Disposition"],
    )
    data = response.get_json(force=True)
    QuestionnaireResponse.model_validate(data)
    assert data["language"] == "bg"
    assert client.get("/summary.json?lang=en").get_json(force=True)["language"] == "en"
    evaluated = client.post("/api/v1/evaluate", json=data).get_json()
    assert evaluated["outcome"] == "contraindication"


def test_answers_to_questions_no_longer_asked_stay_out_of_the_copies(app):
    stale = answers({"neurostimulator": ["no"], "neurostimulator.kind": ["dbs"]})
    client = client_for(app, create_screening(app, stale))
    data = client.get("/summary.json").get_json(force=True)
    assert "neurostimulator.kind" not in json.dumps(data)


@pytest.mark.parametrize("url", ["/summary.pdf", "/summary.json", "/summary.pdf?lang=bg"])
def test_without_a_screening_gives_a_clear_page_not_a_file(app, url):
    response = app.test_client().get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_deleted_or_expired_screening_gives_a_clear_page(app):
    for how in ("deleted", "expired"):
        screening_id = create_screening(app, answers())
        client = client_for(app, screening_id)
        with app.app_context():
            record = screenings.live(screening_id)
            if how == "deleted":
                screenings.delete(record)
            else:
                record.expires_at = utcnow() - timedelta(seconds=1)
                db.session.commit()
        response = client.get("/summary.pdf")
        assert response.status_code == 302, how
        page = client.get(response.headers["Location"])
        assert page.mimetype == "text/html"
        assert "no longer stored" in page.get_data(as_text=True), how


def test_unfinished_screening_goes_to_the_check_page(app):
    client = client_for(app, create_screening(app, answers(), completed=False))
    for url in ("/summary.pdf", "/summary.json"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/check")


# The API for clinics' own systems


def _response_json(app, lang="en") -> dict:
    client = client_for(app, create_screening(app, answers(PACEMAKER_SEIZURE_BUPROPION)))
    return client.get(f"/summary.json?lang={lang}").get_json(force=True)


def test_api_renders_the_same_summary_from_a_questionnaire_response(app):
    body = _response_json(app)
    client = app.test_client()
    with recording_fetches() as seen:
        response = client.post(
            "/api/v1/summary?lang=bg",
            data=json.dumps(body),
            content_type="application/fhir+json",
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="tms-screening-[\d-]{10}-bg\.pdf"',
                        response.headers["Content-Disposition"])
    assert pdf.STYLESHEET.as_uri() in seen.asked and set(seen.asked) <= PACKAGED
    assert seen.refused == []
    opened = open_pdf(response.data)
    assert 2 <= len(opened.pages) <= MAX_PAGES
    first = squash(opened.pages[0])
    for question in FLAG_QUESTIONS_BG:
        assert question in first
    attached = opened.attachment()
    QuestionnaireResponse.model_validate(attached)
    assert attached["authored"] == body["authored"] and attached["language"] == "bg"
    again = client.post("/api/v1/evaluate", json=attached).get_json()
    assert again["outcome"] == "contraindication"


def test_api_says_when_a_response_was_not_finished(app):
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "item": [{"linkId": "cardiac_device", "answer": [{"valueCoding": {"code": "unsure"}}]}],
    }
    response = app.test_client().post("/api/v1/summary", json=body)
    assert response.status_code == 200
    opened = open_pdf(response.data)
    text = squash(opened.text)
    assert "The screening was not finished" in text
    assert "Date not given" in text
    assert "Do you have a pacemaker" in squash(opened.pages[0])
    assert opened.attachment()["status"] == "in-progress"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[]", 422),
        (json.dumps({"resourceType": "QuestionnaireResponse",
                     "item": [{"linkId": "nope", "answer": [{"valueString": "x"}]}]}), 422),
        (json.dumps({"resourceType": "QuestionnaireResponse",
                     "item": [{"linkId": "cardiac_device",
                               "answer": [{"valueCoding": {"code": "maybe"}}]}]}), 422),
    ],
)
def test_api_errors_are_the_same_as_evaluate(app, body, status):
    client = app.test_client()
    with recording_fetches() as seen:
        summary = client.post("/api/v1/summary", data=body, content_type="application/json")
    evaluated = client.post("/api/v1/evaluate", data=body, content_type="application/json")
    assert seen.renders == 0
    assert summary.status_code == evaluated.status_code == status
    assert summary.mimetype == "application/problem+json"
    assert summary.get_json() == evaluated.get_json()


def test_api_refuses_an_unknown_language(app):
    response = app.test_client().post("/api/v1/summary?lang=fr", json={})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_api_needs_no_csrf_token_and_is_documented(app):
    assert "/api/v1/summary" in {rule.rule for rule in app.url_map.iter_rules()}
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/summary"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"400", "422"} <= set(operation["responses"])


def test_pdf_bytes_are_never_written_to_disk(app, tmp_path, monkeypatch):
    """Rendering writes no answer: WeasyPrint returns bytes, and the only files it may write are
    its copies of the packaged font (once per font configuration), byte for byte."""
    import builtins

    client = client_for(app, create_screening(app, answers()))
    real_open = builtins.open
    written = []

    def watching_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr(io, "open", watching_open)
    response = client.get("/summary.pdf")
    monkeypatch.undo()
    assert response.status_code == 200
    fonts = {(pdf.FONT_DIR / name).read_bytes() for _, _, name in pdf.FONT_FILES}
    for path in written:
        assert "/weasyprint-" in path, path
        with open(path, "rb") as copy:
            assert copy.read() in fonts, path


@pytest.mark.parametrize("copy", ["bg", "clinic_bg"])
def test_bulgarian_footer_has_no_english_word(scenario, copy):
    """The page counter and the footer follow the copy's language, whatever the page's."""
    for page in scenario["opened"][copy].pages:
        text = squash(page)
        assert re.search(r"Страница \d+ от \d+", text), text[-200:]
        footer = text[text.rindex("Страница") - 200:]
        assert not re.findall(r"\b(?:of|Page|UTC|Not a diagnosis)\b", footer), footer
