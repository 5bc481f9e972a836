"""A summary's cost is bounded (issue 12, item 1): typed text sits in fixed-layout tables (the
automatic layout measured every break of a long line, 51 s for one 2,000-character line), a
render that still overruns is stopped and answered with a page, and the JSON APIs take JSON
only. Timings live in bench/pdf.py; these tests check the structure that bounds them."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from screener.documents import deadline, pdf
from screener.views.summary import _document
from tests.documents.conftest import (
    PACEMAKER_SEIZURE_BUPROPION,
    answers,
    client_for,
    create_screening,
    open_pdf,
)

WORD = "Zqxw"
"""A run with no break opportunity: repeated, one unbroken word as long as the limit."""


def _long_answers(questionnaire) -> dict[str, list[str]]:
    given = answers(PACEMAKER_SEIZURE_BUPROPION)
    given.update({"indication": ["other"], "metal_in_head": ["yes"],
                  "metal_in_head.mri_safe": ["unsure"], "syncope": ["yes"]})
    for item in questionnaire.walk():
        if item.type == "text":
            given[item.link_id] = [(WORD * item.max_length)[: item.max_length]]
    return given


@pytest.fixture(scope="module")
def long_screening(app):
    with app.app_context():
        q = app.extensions["questionnaires"].get("1.0.0")
    return create_screening(app, _long_answers(q))


def _layouts_around_typed_text(box, table=None, found=None) -> list[str]:
    """table-layout of the table around every piece of laid-out text holding the long word."""
    found = [] if found is None else found
    if isinstance(box, boxes.TableBox):
        table = box
    if isinstance(box, boxes.TextBox) and WORD in box.text:
        found.append(table.style["table_layout"] if table is not None else "no table")
    for child in getattr(box, "children", ()):
        _layouts_around_typed_text(child, table, found)
    return found


def test_typed_text_is_laid_out_in_fixed_tables(app, long_screening):
    """Every table holding an answer at its limit uses the fixed layout."""
    with app.test_request_context("/summary.pdf"):
        from screener.patient import screenings

        document = _document(screenings.live(long_screening), "en")
        html = pdf.render_html(document)
    fetcher = pdf.PackagedFilesFetcher()
    rendered = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).render()
    layouts = [
        layout for page in rendered.pages for layout in _layouts_around_typed_text(page._page_box)
    ]
    assert layouts, "the long answers were not found in the laid-out document"
    assert set(layouts) <= {"fixed", "no table"}, set(layouts)


def test_every_long_answer_is_printed_whole(app, long_screening):
    """Fixed columns still wrap the unbroken word: all of it is on the pages."""
    response = client_for(app, long_screening).get("/summary.pdf")
    assert response.status_code == 200
    text = "".join(open_pdf(response.data).text.split())
    assert text.count(WORD) >= 2000 // len(WORD) + 3 * (500 // len(WORD))


def test_a_render_over_its_bound_is_stopped_with_a_page(app, long_screening):
    app.config["PDF_RENDER_SECONDS"] = 0.01
    try:
        client = client_for(app, long_screening)
        started = time.perf_counter()
        response = client.get("/summary.pdf")
        stopped_after = time.perf_counter() - started
        bg = client.get("/summary.pdf?lang=bg", headers={"Accept-Language": "bg"})
    finally:
        app.config.pop("PDF_RENDER_SECONDS")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "We could not make your summary just now" in page
    assert "Your answers are kept" in page
    assert stopped_after < 5  # a loose sanity bound: the render itself takes about a second
    assert bg.status_code == 503
    # After a stopped render, the next one (with a fresh font set-up) is whole.
    again = client_for(app, long_screening).get("/summary.pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF-")


def test_the_api_answers_an_overrun_with_a_problem(app):
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": "age_band", "answer": [{"valueCoding": {"code": "18_64"}}]}],
    }
    app.config["PDF_RENDER_SECONDS"] = 0.001
    try:
        response = app.test_client().post(
            "/api/v1/summary", data=json.dumps(body), content_type="application/fhir+json"
        )
    finally:
        app.config.pop("PDF_RENDER_SECONDS")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Rendering took too long"


def test_run_within_returns_the_result_in_time():
    assert deadline.run_within(5, lambda: 42) == 42


def test_run_within_stops_work_that_overruns_even_through_except_exception():
    progress = []

    def stubborn():
        while True:
            try:
                progress.append(1)
                time.sleep(0.001)
            except Exception:  # a library swallowing errors must not swallow the bound
                pass

    started = time.perf_counter()
    with pytest.raises(deadline.Overrun):
        deadline.run_within(0.05, stubborn)
    assert progress and time.perf_counter() - started < 2
    time.sleep(0.1)
    count = len(progress)
    time.sleep(0.05)
    assert len(progress) == count  # stopped, not abandoned still running


def test_run_within_works_in_any_thread():
    outcome = []

    def worker():
        try:
            deadline.run_within(0.05, lambda: time.sleep(0.01) or [0 for _ in iter(int, 1)])
        except deadline.Overrun:
            outcome.append("stopped")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    assert outcome == ["stopped"]


def test_a_late_timer_never_fires_into_later_code():
    for _ in range(50):
        # On a loaded machine the bound may pass before the work returns: run_within itself
        # then raises Overrun, which is its contract. What must never happen is a timer
        # firing after run_within has returned.
        with contextlib.suppress(deadline.Overrun):
            deadline.run_within(0.001, lambda: None)
    time.sleep(0.05)  # nothing pending: this line and the test's end run undisturbed


BODY = json.dumps(
    {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "item": [{"linkId": "age_band", "answer": [{"valueCoding": {"code": "18_64"}}]}],
    }
)


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/summary"])
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        None,
    ],
)
def test_json_apis_refuse_other_content_types(app, path, content_type):
    """What any web page can make a browser send without asking first is refused."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = app.test_client().post(path, data=BODY, headers=headers)
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 415


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/summary"])
@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/fhir+json", "application/fhir+json; charset=utf-8",
     "Application/JSON"],
)
def test_json_apis_take_json(app, path, content_type):
    response = app.test_client().post(path, data=BODY, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_openapi_documents_415_and_the_overrun(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/evaluate", "/api/v1/summary"):
        assert "415" in spec["paths"][path]["post"]["responses"], path
    assert "503" in spec["paths"]["/api/v1/summary"]["post"]["responses"]
